#!/usr/bin/env bash
# The database tests talk to PostgreSQL (127.0.0.1:5432, user postgres, trust, database test)
# and MariaDB (127.0.0.1:3306, user root, no password, database test). They run on every
# development and CI machine here; this starts one that has stopped (as root), checks that
# both let the test user in, and fails naming the server that does not.
# DATACOOK_TEST_PG_* / DATACOOK_TEST_MYSQL_* (HOST, PORT, USER, DATABASE) name other servers.
set -euo pipefail
pg_host="${DATACOOK_TEST_PG_HOST:-127.0.0.1}"
pg_port="${DATACOOK_TEST_PG_PORT:-5432}"
pg_user="${DATACOOK_TEST_PG_USER:-postgres}"
pg_db="${DATACOOK_TEST_PG_DATABASE:-test}"
my_host="${DATACOOK_TEST_MYSQL_HOST:-127.0.0.1}"
my_port="${DATACOOK_TEST_MYSQL_PORT:-3306}"
my_user="${DATACOOK_TEST_MYSQL_USER:-root}"
my_db="${DATACOOK_TEST_MYSQL_DATABASE:-test}"

listening() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

wait_for() {
  for _ in $(seq 1 100); do
    listening "$1" "$2" && return 0
    sleep 0.2
  done
  return 1
}

if ! listening "$pg_host" "$pg_port" && [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then
  for version in /etc/postgresql/*; do
    echo "starting PostgreSQL $(basename "$version")" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
  done
fi
if ! listening "$my_host" "$my_port" && [ "$(id -u)" = 0 ] && [ -x /usr/sbin/mariadbd ]; then
  echo "starting MariaDB" >&2
  install -d -o mysql -g mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql || true
fi
wait_for "$pg_host" "$pg_port" || { echo "PostgreSQL is not reachable at $pg_host:$pg_port" >&2; exit 1; }
wait_for "$my_host" "$my_port" || { echo "MariaDB is not reachable at $my_host:$my_port" >&2; exit 1; }

# The test user gets in (trust / no password) and the test database exists.
if command -v psql >/dev/null; then
  psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" -qtAc 'SELECT 1' >/dev/null || {
    echo "PostgreSQL at $pg_host:$pg_port does not let '$pg_user' into '$pg_db' without a password" >&2
    exit 1
  }
fi
if command -v mariadb >/dev/null; then
  mariadb -h "$my_host" -P "$my_port" -u "$my_user" -e "CREATE DATABASE IF NOT EXISTS \`$my_db\`" >/dev/null || {
    echo "MariaDB at $my_host:$my_port does not let '$my_user' in without a password" >&2
    exit 1
  }
fi
