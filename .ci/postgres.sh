#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 and print its admin URL on stdout.
# Installs PostgreSQL 15 with apt-get when no server binaries are present.
# Usage: url=$(bash .ci/postgres.sh start DIR)   ...   bash .ci/postgres.sh stop DIR
# `pause DIR` stops the server and keeps its data; `resume DIR` starts it again on the same port
# (for outage probes: python -m bench outage).
set -euo pipefail

find_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

as_postgres() {
  # initdb and postgres refuse to run as root; use the postgres account when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

action=${1:?start or stop}
dir=${2:?a directory for the cluster}

case "$action" in
start)
  if ! bindir=$(find_bindir); then
    echo "installing PostgreSQL 15 with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql-15 >&2 || apt-get install -y -qq postgresql >&2
    bindir=$(find_bindir)
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres >&2
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_postgres "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
  ;;
pause)
  bindir=$(find_bindir)
  as_postgres "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2
  ;;
resume)
  bindir=$(find_bindir)
  port=$(cat "$dir/port")
  as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
  ;;
stop)
  bindir=$(find_bindir) || exit 0
  [ -d "$dir/data" ] && as_postgres "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
  ;;
*)
  echo "usage: $0 start|stop|pause|resume DIR" >&2; exit 2
  ;;
esac
