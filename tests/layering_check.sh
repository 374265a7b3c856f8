#!/usr/bin/env bash
# Enforces the dependency direction of docs/architecture.md on includes:
# a folder may include only the public headers of the folders it depends on.
# (The link step enforces it too: each library links only what it may use.)
set -euo pipefail
root=${1:?usage: layering_check.sh SOURCE_DIR}
cd "$root"
fail=0
check() {  # folder, regex of forbidden includes, why
  local hits
  hits=$(grep -rnE "#include [<\"]($2)" "$1" --include=*.h --include=*.cc || true)
  if [ -n "$hits" ]; then
    echo "layering: $1 must not include $2 ($3):"
    echo "$hits"
    fail=1
  fi
}
check common      'puente/(crypto|biometrics|credentials|registry|migrations)/|soci/|openssl/|opencv2/' 'std and abseil only'
check crypto      'puente/(biometrics|credentials|registry|migrations)/|soci/' 'OpenSSL adapter only'
check biometrics  'puente/(credentials|registry|migrations)/|soci/|openssl/' 'OpenCV only, no database'
check credentials 'puente/(biometrics|registry|migrations)/|soci/' 'no database, no registry'
check registry    'httplib|openssl/' 'no HTTP; crypto goes through puente/crypto'
check apps/puente_verify 'puente/registry/|soci/' 'the offline verifier has no database'
check apps/support       'puente/registry/|soci/' 'shared with the offline verifier'
for d in registry biometrics credentials apps; do
  check "$d" 'openssl/' 'only crypto/ talks to OpenSSL'
done
[ "$fail" = 0 ] && echo "layering: ok"
exit "$fail"
