#!/usr/bin/env bash
# The store tests need PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth, database `test`).
# These machines start one before each session: then this script does nothing. Where nothing
# answers, it installs Debian's postgresql and starts a throw-away cluster in a temp directory as
# the `postgres` system user (PostgreSQL refuses to run as root), trust auth, port 5432.
set -euo pipefail

PORT=5432
answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -h 127.0.0.1 -p "$PORT" -q
  else
    (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null
  fi
}

if answers; then exit 0; fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    echo "ensure-test-env: need root (or sudo) to run: $*" >&2; return 1
  fi
}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  echo "ensure-test-env: installing Debian's postgresql for the store tests" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

run_as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else as_root runuser -u postgres -- "$@"; fi
}

datadir=$(mktemp -d /tmp/embargo-pg.XXXXXX)
as_root chown postgres "$datadir" 2>/dev/null || true
echo "ensure-test-env: starting a throw-away PostgreSQL cluster in $datadir on port $PORT" >&2
run_as_postgres "$bindir/initdb" -D "$datadir" -U postgres --auth=trust -E UTF8 >/dev/null
run_as_postgres "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $datadir" start >/dev/null
run_as_postgres "$bindir/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc 'create database test' >/dev/null
answers
