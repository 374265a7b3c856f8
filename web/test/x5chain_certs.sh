#!/bin/bash
# Certificates for the x5chain cases of web_verify_core (verify_crosscheck.mjs),
# made with the openssl command as certificate authorities make them: good
# chains of every key type and depth, and chains that break one rule each.
# Usage: x5chain_certs.sh DIR   (writes NAME.key and NAME.pem there)
set -euo pipefail
cd "$1"
key() {
  case $2 in
    ed) openssl genpkey -algorithm ed25519 -out "$1.key" ;;
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
    ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1.key" ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
  esac 2>/dev/null
}
exts() { while IFS= read -r l; do [ -n "$l" ] && printf -- '-addext\n%s\n' "$l"; done <<<"$1"; }
# root NAME ALG SUBJECT EXTENSIONS: a self-signed authority
root() {
  key "$1" "$2"
  local args; mapfile -t args < <(exts "$4")
  openssl req -x509 -new -key "$1.key" -subj "/CN=$3" -days 3650 "${args[@]}" -out "$1.pem"
}
# issue NAME ALG SUBJECT ISSUER EXTENSIONS [DAYS]
issue() {
  key "$1" "$2"
  printf '%s\n' "$5" > "$1.ext"
  openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -set_serial "$((RANDOM * 32768 + RANDOM))" \
    -days "${6:-365}" -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
CA='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign'
LEAF='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature'
root root ed "Example Root CA" "$CA"
issue leaf ed "Issuer A" root "$LEAF"
issue leafec ec "Issuer EC" root "$LEAF"
issue inter ed "Intermediate CA" root "$CA"
issue leaf2 ec "Issuer B" inter "$LEAF"
issue inter384 ec384 "P-384 Intermediate" root "$CA"
issue leaf384 ec "Issuer under P-384" inter384 "$LEAF"
issue interrsa rsa "RSA Intermediate" root "$CA"
issue leafrsa ec "Issuer under RSA" interrsa "$LEAF"
root rootec ec "EC Root" "$CA"
issue leafunder_ec ed "Issuer under EC" rootec "$LEAF"
issue inter_nobc ed "Inter NoBC" root "keyUsage=critical,keyCertSign"
issue leaf_nobc ec "Leaf NoBC" inter_nobc "$LEAF"
issue inter_bcnc ed "Inter BC noncritical" root "basicConstraints=CA:TRUE
keyUsage=critical,keyCertSign"
issue leaf_bcnc ec "Leaf BCNC" inter_bcnc "$LEAF"
issue inter_noku ed "Inter NoKU" root "basicConstraints=critical,CA:TRUE"
issue leaf_noku ec "Leaf NoKU" inter_noku "$LEAF"
issue inter_kuds ed "Inter KU digsig" root "basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature"
issue leaf_kuds ec "Leaf KUDS" inter_kuds "$LEAF"
root root_pl0 ed "Root PL0" "basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign"
issue inter_pl0 ed "Inter PL0" root_pl0 "$CA"
issue leaf_pl0 ec "Leaf PL0" inter_pl0 "$LEAF"
issue leaf_direct_pl0 ed "Leaf direct PL0" root_pl0 "$LEAF"
issue leaf_noakid ed "Leaf NoAKID" root "$LEAF
authorityKeyIdentifier=none
subjectKeyIdentifier=none"
openssl req -x509 -new -key leaf.key -subj "/CN=Self" -days 30 -out self.pem
root other ed "Example Root CA" "$CA"
issue leaf_other ed "Issuer Other" other "$LEAF"
issue leaf_crit ed "Leaf Crit" root "$LEAF
1.2.3.4.5=critical,ASN1:NULL"
issue leaf_noncrit ed "Leaf NonCrit" root "$LEAF
1.2.3.4.5=ASN1:NULL"
issue leaf_ksign ed "Leaf KSign" root "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyCertSign"
issue leaf_ca ed "Leaf CA" root "$CA"
issue leaf_ca_bcnc ed "Leaf CA BCNC" root "basicConstraints=CA:TRUE
keyUsage=critical,keyCertSign,digitalSignature"
issue leaf_akidcrit ed "Leaf AKIDcrit" root "$LEAF
authorityKeyIdentifier=critical,keyid:always"
issue leaf_eku ed "Leaf EKU" root "$LEAF
extendedKeyUsage=critical,codeSigning"
issue leaf_san ed "Leaf SAN" root "$LEAF
subjectAltName=critical,DNS:issuer.example.org"
issue leaf_rsakey rsa "Leaf RSA key" root "$LEAF"
issue inter_skidcrit ed "Inter SKIDcrit" root "$CA
subjectKeyIdentifier=critical,hash"
issue leaf_skidcrit ed "Leaf under SKIDcrit" inter_skidcrit "$LEAF"
issue inter_noskid ed "Inter NoSKID" root "$CA
subjectKeyIdentifier=none"
issue leaf_noskid ed "Leaf under NoSKID" inter_noskid "$LEAF"
issue inter_nc ed "Inter NC" root "$CA
nameConstraints=critical,permitted;DNS:example.org"
issue leaf_nc ec "Leaf under NC" inter_nc "$LEAF"
root root_bcnc ed "Root BCNC" "basicConstraints=CA:TRUE
keyUsage=critical,keyCertSign"
issue leaf_rbcnc ed "Leaf RBCNC" root_bcnc "$LEAF"
root root_noku ed "Root NoKU" "basicConstraints=critical,CA:TRUE"
issue leaf_rnoku ed "Leaf RNoKU" root_noku "$LEAF"
root root_kuds ed "Root KUDS" "basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature"
issue leaf_rkuds ed "Leaf RKUDS" root_kuds "$LEAF"
rm -f ./*.csr ./*.ext
