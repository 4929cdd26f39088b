# Sourced by scripts/test.sh and scripts/bench.sh: starts a throwaway PostgreSQL 15
# cluster on a free port, exports LEDGIX_TEST_DATABASE_URL, stops it on exit.
start_throwaway_postgres() {
  local bin=/usr/lib/postgresql/15/bin
  if [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    else
      echo "PostgreSQL 15 is not installed ($bin); install it or set LEDGIX_TEST_DATABASE_URL." >&2
      return 1
    fi
  fi
  local parent port
  parent=$(mktemp -d /tmp/ledgix-pg.XXXXXX)
  chmod 755 "$parent" # the postgres user must be able to enter it
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  PG_DATA="$parent/data"
  run_as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
  if [ "$(id -u)" = 0 ]; then chown postgres "$parent"; fi
  run_as_postgres "$bin/initdb -D $PG_DATA -A trust -U postgres >/dev/null"
  run_as_postgres "$bin/pg_ctl -D $PG_DATA -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300' -l $parent/log start >/dev/null"
  export LEDGIX_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  # Expanded now: the function's locals are gone when the trap runs. A script with an exit trap
  # of its own runs $THROWAWAY_POSTGRES_STOP from it.
  THROWAWAY_POSTGRES_STOP="run_as_postgres '$bin/pg_ctl -D $PG_DATA -m fast stop >/dev/null'; rm -rf '$parent'"
  trap "$THROWAWAY_POSTGRES_STOP" EXIT
  echo "PostgreSQL 15 running on port $port (throwaway cluster in $parent)"
}
