#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on 127.0.0.1 only.
#
#   scripts/testpg.sh start DIR   # initdb into DIR, start on a free port, print the URL
#   scripts/testpg.sh stop DIR    # stop it (DIR can then be removed)
#
# Uses Debian's postgresql package (apt-get install -y postgresql); the server runs as the
# `postgres` system user because initdb refuses root. fsync is off: the data is disposable.
# The printed URL is what the tests read from CGTEXTRACT_TEST_PG.
set -euo pipefail

cmd=${1:?usage: testpg.sh start|stop DIR}
dir=${2:?usage: testpg.sh start|stop DIR}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
    echo "testpg.sh: PostgreSQL not installed (apt-get install -y postgresql)" >&2
    exit 1
fi

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_postgres "$bindir/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE cgtextract LOGIN SUPERUSER PASSWORD 'cgtextract'" \
        -c "CREATE DATABASE cgtextract_test OWNER cgtextract" >/dev/null
    echo "postgresql+psycopg://cgtextract:cgtextract@127.0.0.1:$port/cgtextract_test"
    ;;
stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_postgres "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
*)
    echo "usage: testpg.sh start|stop DIR" >&2
    exit 2
    ;;
esac
