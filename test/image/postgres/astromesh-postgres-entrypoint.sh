#!/bin/bash
# Entrypoint of the test stand-in PostgreSQL image (test/image/build-postgres-image.ts). It
# implements the interface charts/astromesh-cloud expects of the official postgres image, and
# only that: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB; PGDATA below /var/lib/postgresql;
# /docker-entrypoint-initdb.d/*.sql (and *.sql.gz, *.sh) run once, when the data directory is
# first made; TCP clients sign in with a password (scram-sha-256), socket clients in the pod
# are trusted, as in the official image. Then postgres runs as PID 1, so SIGINT is its fast
# shutdown. It writes only to PGDATA, /var/run/postgresql and /tmp (a read-only root works).
set -Eeuo pipefail

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
socket_dir=/var/run/postgresql

say() { printf 'astromesh-postgres-entrypoint: %s\n' "$*" >&2; }

# `docker run image -c shared_buffers=…` passes server options, as with the official image.
if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "${1:-}" != postgres ]; then exec "$@"; fi

# Started as root (a plain `docker run`): give the data and socket folders to postgres and
# drop to it. Under Kubernetes the chart already runs it as 999.
if [ "$(id -u)" = 0 ]; then
  install -d -m 0700 "$PGDATA"
  chown -R postgres:postgres "$PGDATA"
  install -d -o postgres -g postgres -m 2775 "$socket_dir"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    say 'POSTGRES_PASSWORD is empty: set it, TCP clients sign in with it'
    exit 1
  fi
  say "initialising $PGDATA for $POSTGRES_USER"
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  # initdb reads the password from a file, so it appears in no process list.
  password_file="$(mktemp)"
  trap 'rm -f "$password_file"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
  initdb --username="$POSTGRES_USER" --pwfile="$password_file" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >&2
  rm -f "$password_file"
  printf '\n# Clients of a container come from other hosts.\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

  # Init scripts run against a server nobody else can reach yet: socket only.
  pg_ctl --pgdata="$PGDATA" --wait --silent --options="-c listen_addresses='' -c unix_socket_directories=$socket_dir" start
  psql=(psql --no-psqlrc --set=ON_ERROR_STOP=1 --host="$socket_dir" --username="$POSTGRES_USER")
  if [ "$POSTGRES_DB" != postgres ]; then
    "${psql[@]}" --dbname=postgres --set=db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  for script in /docker-entrypoint-initdb.d/*; do
    [ -e "$script" ] || continue
    case "$script" in
      *.sql) say "running $script"; "${psql[@]}" --dbname="$POSTGRES_DB" --file="$script" ;;
      *.sql.gz) say "running $script"; gunzip --stdout "$script" | "${psql[@]}" --dbname="$POSTGRES_DB" ;;
      *.sh) say "running $script"; if [ -x "$script" ]; then "$script"; else . "$script"; fi ;;
      *) say "ignoring $script" ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop
  say 'initialised'
fi

exec "$@"
