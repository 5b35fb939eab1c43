#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the integration tests and print its URL.
# Installs Debian's postgresql package when the server binaries are missing (needs root).
# Usage: eval "$(scripts/start-test-postgres.sh)"   → exports COMPLIANCE_TEST_POSTGRES_URL
set -euo pipefail
cd /tmp  # the postgres user may not be able to read the caller's folder
port="${PGPORT_TEST:-55432}"
bin_dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/postgres" ]; then
  echo "installing postgresql from Debian" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin_dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
data_dir=$(mktemp -d /tmp/compliance-pg.XXXXXX)
run_as=()
if [ "$(id -u)" = "0" ]; then
  chown postgres "$data_dir"
  run_as=(runuser -u postgres --)
fi
"${run_as[@]}" "$bin_dir/initdb" -D "$data_dir" -U compliance --auth=trust -E UTF8 >&2
"${run_as[@]}" "$bin_dir/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data_dir" start >&2
"${run_as[@]}" "$bin_dir/createdb" -h 127.0.0.1 -p "$port" -U compliance compliance_test >&2
echo "export COMPLIANCE_TEST_POSTGRES_URL=postgresql+psycopg://compliance@127.0.0.1:$port/compliance_test"
echo "export COMPLIANCE_TEST_POSTGRES_DATA=$data_dir"
