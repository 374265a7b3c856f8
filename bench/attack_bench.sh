#!/usr/bin/env bash
# Starts a puente-server on a fresh SQLite registry in a temporary folder and
# runs build/bench/attack_bench against it (docs/security.md, "Measured under
# attack"). --server-bin measures another build (e.g. an older commit's).
#   bench/attack_bench.sh [--server-bin PATH] [--seconds 20] [--slow 200] [--flood 4]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
server_bin=$repo/build/apps/puente-server
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --server-bin) server_bin=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
shared=${PUENTE_SHARED:-$(dirname "$repo")/shared}
models=${PUENTE_MODELS_DIR:-$repo/var/models}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
# The CLI of the same build as the server (its migrations).
"$(dirname "$server_bin")/puente" --db "sqlite:$dir/puente.db" --key-file "$dir/master.key" init >/dev/null
export PUENTE_ADMIN_PASSWORD="attack bench: admin password 42"
"$server_bin" --db "sqlite:$dir/puente.db" --key-file "$dir/master.key" --models "$models" \
  --admin admin --port 0 ${PUENTE_SERVER_ARGS:-} >"$dir/server.out" 2>"$dir/server.log" &
pid=$!
for _ in $(seq 1 600); do
  url=$(grep -o 'http://[0-9.:]*' "$dir/server.out" 2>/dev/null || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "puente-server did not start:"; cat "$dir/server.log"; exit 1; }
echo "server: $server_bin at $url ($(nproc) cores)"
"$repo/build/bench/attack_bench" --url "$url" --admin-password "$PUENTE_ADMIN_PASSWORD" \
  --photos "$shared/faces/dev" "${args[@]}"
