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
# Inside registry/, libraries by capability, dependencies pointing one way:
# domain -> storage -> dedup -> office -> births -> field (docs/architecture.md).
office_h='puente/registry/(registry|users|enrollment|cards|json)\.h'
births_h='puente/registry/births\.h|births/internal/'
field_h='puente/registry/(kits|sync|regional|reference_people)\.h|field/internal/'
storage_h='puente/registry/(database|keys|audit|migrator)\.h|storage/internal/'
check registry/domain  "soci/|$storage_h|puente/registry/(demographic_match|candidate_policy)\.h|$office_h|$births_h|$field_h|office/internal/" 'the model only: no database'
check registry/storage "puente/registry/(demographic_match|candidate_policy)\.h|$office_h|$births_h|$field_h|office/internal/" 'storage knows the model, not the capabilities'
check registry/dedup   "soci/|$storage_h|$office_h|$births_h|$field_h|office/internal/" 'pure functions: no database'
check registry/office  "$births_h|$field_h" 'the office does not know births or field kits'
check registry/births  "$field_h" 'births do not know field kits'
check registry/stats   "$field_h" 'statistics do not know field kits'
# Public headers never expose SOCI or the registry's internal headers.
for d in registry/*/include; do
  check "$d" 'soci/|(storage|office|births|field|dedup|domain)/internal/' 'public headers: no SOCI, no internals'
done
# Outside registry/ (tests and benchmarks aside), nobody reaches the internals.
for d in server apps; do
  check "$d" '(registry/)?(storage|office|births|field|dedup|domain|stats)/internal/|soci/' 'registry internals stay in registry/'
done
check apps/puente_verify 'puente/registry/|soci/' 'the offline verifier has no database'
check apps/support       'puente/registry/|soci/' 'shared with the offline verifier'
for d in registry biometrics credentials server apps; do
  check "$d" 'openssl/' 'only crypto/ talks to OpenSSL'
done
[ "$fail" = 0 ] && echo "layering: ok"
exit "$fail"
