#!/usr/bin/env bash
# The database tests talk to PostgreSQL (127.0.0.1:5432, user postgres, database test) and
# MariaDB (127.0.0.1:3306, user root, database test). They run on every development and CI
# machine; this starts one that has stopped (as root) and fails if either cannot be reached.
# DATACOOK_TEST_PG_PORT / DATACOOK_TEST_MYSQL_PORT point the tests at other servers.
set -euo pipefail
pg_port="${DATACOOK_TEST_PG_PORT:-5432}"
my_port="${DATACOOK_TEST_MYSQL_PORT:-3306}"
pg_host="${DATACOOK_TEST_PG_HOST:-127.0.0.1}"
my_host="${DATACOOK_TEST_MYSQL_HOST:-127.0.0.1}"

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {
  for _ in $(seq 1 100); do
    listening "$1" "$2" && return 0
    sleep 0.2
  done
  return 1
}

if ! listening "$pg_host" "$pg_port" && [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then
  echo "starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
if ! listening "$my_host" "$my_port" && [ "$(id -u)" = 0 ] && [ -x /usr/sbin/mariadbd ]; then
  echo "starting MariaDB" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
wait_for "$pg_host" "$pg_port" || { echo "PostgreSQL is not reachable at $pg_host:$pg_port" >&2; exit 1; }
wait_for "$my_host" "$my_port" || { echo "MariaDB is not reachable at $my_host:$my_port" >&2; exit 1; }
