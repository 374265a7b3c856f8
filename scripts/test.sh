#!/usr/bin/env bash
# Builds puente and runs every test, including the storage suite against a
# real PostgreSQL 15 server started here as a throwaway cluster on loopback.
# A run where the PostgreSQL tests did not execute fails.
#
#   scripts/test.sh [CTEST_ARGS...]             build/ and its suite
#   scripts/test.sh --sanitize [CTEST_ARGS...]  the same suite built with ASan
#       and UBSan in build-asan/ (or $PUENTE_BUILD_DIR); any sanitizer report
#       fails the test that triggered it (docs/architecture.md, "Sanitizers")
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sanitize=0
if [ "${1:-}" = --sanitize ]; then
  sanitize=1
  shift
fi
"$repo/scripts/setup.sh" --tests
if [ "$sanitize" = 1 ]; then
  build=${PUENTE_BUILD_DIR:-$repo/build-asan}
  PUENTE_BUILD_DIR=$build "$repo/scripts/build.sh" -DPUENTE_SANITIZE=ON -DPUENTE_BUILD_BENCHMARKS=OFF
  # Leaks are reported at exit; UBSan stops at its first report so that the
  # test fails instead of printing and passing.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
  # Third-party process-lifetime caches only; each entry says why.
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$repo/scripts/sanitizers/lsan.supp:print_suppressions=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  build=${PUENTE_BUILD_DIR:-$repo/build}
  PUENTE_BUILD_DIR=$build "$repo/scripts/build.sh"
fi

pgdir=$(mktemp -d /tmp/puente-pg.XXXXXX)
cleanup() { "$repo/scripts/pg_cluster.sh" stop "$pgdir/cluster" || true; rm -rf "$pgdir"; }
trap cleanup EXIT
PUENTE_TEST_PG_URL=$("$repo/scripts/pg_cluster.sh" start "$pgdir/cluster")
export PUENTE_TEST_PG_URL
export PUENTE_REQUIRE_PG=1   # tests fail, not skip, without PostgreSQL
export PUENTE_SHARED=${PUENTE_SHARED:-$(dirname "$repo")/shared}
export PUENTE_MODELS_DIR=${PUENTE_MODELS_DIR:-$repo/var/models}

cd "$build"
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
