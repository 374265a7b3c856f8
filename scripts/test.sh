#!/usr/bin/env bash
# Builds puente and runs every test, including the storage suite against a
# real PostgreSQL 15 server started here as a throwaway cluster on loopback.
# A run where the PostgreSQL tests did not execute fails.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh" --tests
"$repo/scripts/build.sh"

pgdir=$(mktemp -d /tmp/puente-pg.XXXXXX)
cleanup() { "$repo/scripts/pg_cluster.sh" stop "$pgdir/cluster" || true; rm -rf "$pgdir"; }
trap cleanup EXIT
PUENTE_TEST_PG_URL=$("$repo/scripts/pg_cluster.sh" start "$pgdir/cluster")
export PUENTE_TEST_PG_URL
export PUENTE_REQUIRE_PG=1   # tests fail, not skip, without PostgreSQL
export PUENTE_SHARED=${PUENTE_SHARED:-$(dirname "$repo")/shared}
export PUENTE_MODELS_DIR=${PUENTE_MODELS_DIR:-$repo/var/models}

cd "$repo/build"
log=$pgdir/ctest.log
set +e
ctest --output-on-failure --timeout 600 -j 2 "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if grep -q -- '\*\*\*Skipped' "$log"; then
  echo "test.sh: some tests were skipped; every test must run (PostgreSQL included)" >&2
  exit 1
fi
exit "$rc"
