#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for the test suite, on loopback only.
#   scripts/pg_cluster.sh start DIR   -> initdb + start; prints the test URL on stdout
#   scripts/pg_cluster.sh stop DIR    -> stop and delete DIR
# The cluster runs as the 'postgres' OS user (initdb refuses root), listens on
# 127.0.0.1 on a free port, and uses scram-sha-256 with a random password.
set -euo pipefail

cmd=${1:?usage: pg_cluster.sh start|stop DIR}
dir=${2:?usage: pg_cluster.sh start|stop DIR}
pgbin=/usr/lib/postgresql/15/bin

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    [ -x "$pgbin/initdb" ] || { echo "pg_cluster: PostgreSQL 15 is not installed ($pgbin/initdb missing)" >&2; exit 1; }
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres:postgres "$dir"
      # the postgres user must be able to reach DIR through its parents
      p=$(dirname "$(realpath "$dir")")
      while [ "$p" != / ]; do chmod o+x "$p"; p=$(dirname "$p"); done
    fi
    pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    pwfile="$dir/.pw"
    printf '%s\n' "$pw" > "$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$pwfile"
    chmod 600 "$pwfile"
    as_postgres "$pgbin/initdb" -D "$dir/data" -U puente --pwfile="$pwfile" \
      --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    started=0
    for _ in 1 2 3 4 5 6 7 8; do
      port=$(( 20000 + RANDOM % 40000 ))
      if as_postgres "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" \
          start >/dev/null 2>&1; then
        started=1
        break
      fi
    done
    [ "$started" = 1 ] || { cat "$dir/server.log" >&2; exit 1; }
    PGPASSWORD="$pw" "$pgbin/psql" -q -h 127.0.0.1 -p "$port" -U puente -d postgres \
      -c "CREATE DATABASE puente_test" >/dev/null
    echo "postgresql://puente:$pw@127.0.0.1:$port/puente_test"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_postgres "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg_cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
