#!/usr/bin/env bash
# The main job: set up, build, then run a registry on the embedded SQLite
# default and show it at work (register a family, open and move its case, check and compare face photos,
# read back the records, verify the audit chain).
# Everything it creates is under var/demo/; run it again to start afresh.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh"

demo=$repo/var/demo
rm -rf "$demo"
mkdir -p "$demo"
export PUENTE_DB="sqlite:$demo/puente.db" PUENTE_KEY_FILE="$demo/master.key"
export PUENTE_ACTOR=demo.officer PUENTE_OFFICE=101
puente() { "$repo/build/apps/puente" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "puente init (master key outside the database, schema migrations)"
puente init
step "register a principal applicant"
principal=$(puente --json applicant add --given-names "María José" --surname1 "Pérez" \
  --surname2 "de la Cruz" --sex F --dob 1988-03-14 --nationality VEN --place-of-birth "Maracaibo" \
  --language spa --phone "+507 6123 4567" --address "Calle 50, Bella Vista, Panamá" \
  --document passport:VEN:A1234567:2029-05-31 | sed -n 's/.*"registration_number": "\([^"]*\)".*/\1/p')
case_no=$(puente --json applicant show "$principal" | sed -n 's/.*"case_number": "\([^"]*\)".*/\1/p')
echo "registered $principal, case $case_no"
step "register dependants into the same case"
puente applicant add --case "$case_no" --relationship spouse --given-names "José Luis" \
  --surname1 "Gómez" --sex M --dob 1985 --nationality VEN --language spa
puente applicant add --case "$case_no" --relationship child --given-names "Sofía" \
  --surname1 "Gómez" --surname2 "Pérez" --sex F --dob 2019-06-02 --dob-precision estimated \
  --nationality XXA --language spa
step "registered applicants"
puente applicant list
step "one applicant in full"
puente applicant show "$principal"
step "bad input is refused, naming each field, and nothing is written"
puente applicant add --given-names "R2D2" --sex Q --dob 2031-02-30 --nationality ABC || echo "(exit code $?)"
step "the case moves through its lifecycle; illegal moves are refused"
puente case status "$case_no" --to recognized --reason "skipping admission" || echo "(exit code $?)"
puente case status "$case_no" --to admitted --reason "Admitida a trámite"
step "audit chain"
puente audit verify
step "no personal data in clear in the database file"
if grep -a -q -E "Pérez|A1234567|Bella Vista" "$demo"/puente.db*; then
  echo "FOUND PLAINTEXT"; exit 1
else
  echo "grep for names, passport number and address in $demo/puente.db*: nothing found"
fi
dev=${PUENTE_SHARED:-$(dirname "$repo")/shared}/faces/dev
if [ -d "$dev" ]; then
  export PUENTE_MODELS_DIR=${PUENTE_MODELS_DIR:-$repo/var/models}
  step "face photo quality check (a good photo, then a blurry one)"
  puente face check "$dev/Barack_Obama/1.jpg"
  puente face check "$dev/Jesse_Jackson/4.jpg" || echo "(exit code $?)"
  step "1:1 face comparison (same person, then different people)"
  puente face compare "$dev/Ashanti/1.jpg" "$dev/Ashanti/3.jpg" | head -1
  puente face compare "$dev/Ashanti/1.jpg" "$dev/Al_Sharpton/1.jpg" | head -1
fi
step "credential keys: the registry's root, an issuing office, a hospital"
cards=$demo/cards
rm -rf "$cards" && mkdir -p "$cards"
export PUENTE_KEY_PASSPHRASE="demo only: use a real secret"
(cd "$cards" && puente keys generate --kind root --out root >/dev/null &&
  puente keys generate --kind issuer --out onpar &&
  puente keys generate --kind institution --out hospital >/dev/null)
step "signed trust and revocation lists for verifiers"
(cd "$cards" && puente lists trust --root root.pem --issuer onpar.pub.json --name "ONPAR 2026-A" --out trust.cbor &&
  puente lists revocation --root root.pem --serial 2 --out revoked.cbor)
step "an asylum-seeker card: QR (Claim 169), PNG at 300 dpi and PDF; face template sealed to the hospital"
photo_args=()
[ -d "$dev" ] && photo_args=(--photo "$dev/Ashanti/1.jpg")
(cd "$cards" && puente card issue --issuer-key onpar.pem --serial 1 --registration-number "$principal" \
  --name "María José Pérez Núñez" --dob 1988-03-14 --sex F --nationality VE \
  --entitlement asylum-application-active=2027-06-30 --recipient hospital.pub.json \
  --case-number "$case_no" "${photo_args[@]}" --out card1 &&
  puente card issue --issuer-key onpar.pem --serial 2 --registration-number "$principal" \
  --name "María José Pérez Núñez" --out card2-lost >/dev/null)
verify() { (cd "$cards" && "$repo/build/apps/puente-verify" --root root.pub.json --trust-list trust.cbor \
  --revocation-list revoked.cbor "$@"); }
step "a hospital verifies the card's photo offline, opens its sealed section and checks the holder's face"
face_args=()
[ -d "$dev" ] && face_args=(--face "$dev/Ashanti/2.jpg")
verify card1.png --institution-key hospital.pem "${face_args[@]}"
step "a bank without the hospital's key sees only the public part"
verify card1.png | tail -n 2
step "a lost card (serial 2) is on the revocation list"
verify --text "$(cat "$cards/card2-lost.qr.txt")" | head -n 1 || true
step "the same card checked as of 2028: expired"
verify card1.png --at 2028-01-01 | head -n 1 || true
printf '\nCards: %s/card1.png and card1.pdf\n' "$cards"
if [ -d "$dev" ]; then
  step "the enrollment service: puente-server on the embedded SQLite default"
  svc=$demo/service
  rm -rf "$svc" && mkdir -p "$svc"
  export PUENTE_ADMIN_PASSWORD="demo only: admin password"
  puente --db "sqlite:$svc/puente.db" --key-file "$svc/master.key" init >/dev/null
  nohup "$repo/build/apps/puente-server" --db "sqlite:$svc/puente.db" --key-file "$svc/master.key" \
    --issuer-key "$cards/onpar.pem" --root-key "$cards/root.pem" --recipient "$cards/hospital.pub.json" \
    --web-dir "$repo/build/web" --office 001 --admin admin --port 0 >"$svc/server.log" 2>&1 &
  server_pid=$!
  url=""
  for _ in $(seq 1 200); do
    url=$(grep -o 'http://[0-9.]*:[0-9]*' "$svc/server.log" 2>/dev/null || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$svc/server.log"; exit 1; }
  echo "puente-server (pid $server_pid) at $url; API described at $url/openapi.json"
  "$repo/build/apps/puente-demo" --url "$url" --faces "$dev" --out "$svc" \
    --verify-bin "$repo/build/apps/puente-verify" --institution-key "$cards/hospital.pem" \
    --models "$PUENTE_MODELS_DIR"
  printf '\nThe service keeps running at %s (metrics: %s/metrics). Stop it with: kill %s\n' \
    "$url" "$url" "$server_pid"
  printf 'The officers web app is open at %s/ : sign in as ana.officer or sara.supervisor\n' "$url"
  printf '(password demo-password-1), or admin (password: %s).\n' "$PUENTE_ADMIN_PASSWORD"
  root_fp=$(node -e 'const k = JSON.parse(require("fs").readFileSync(process.argv[1])).public_key;
    console.log(require("crypto").createHash("sha256").update(Buffer.from(k, "hex")).digest("hex"))' "$cards/root.pub.json")
  printf 'The institutions phone verifier is at %s/verify/ : install it by the root fingerprint\n%s\n' "$url" "$root_fp"
fi
printf '\nDone. The registry is %s (key %s).\nTry: build/apps/puente --db %s --key-file %s applicant list\n' \
  "$PUENTE_DB" "$PUENTE_KEY_FILE" "$PUENTE_DB" "$PUENTE_KEY_FILE"
