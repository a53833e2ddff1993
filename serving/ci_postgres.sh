#!/usr/bin/env bash
# Install and start PostgreSQL for CI, create a test role and database, print the URL.
# Usage in .ci/run:  export TEST_DATABASE_URL="$(bash serving/ci_postgres.sh | tail -n 1)"
set -euo pipefail

ROLE="${SECONDLOOK_PG_ROLE:-secondlook}"
PASSWORD="${SECONDLOOK_PG_PASSWORD:-secondlook}"
DB="${SECONDLOOK_PG_DB:-secondlook_test}"

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1" "$2" "$4}' | grep -q "^${VERSION} main online"; then
    pg_ctlcluster "${VERSION}" main start >&2
fi
for _ in $(seq 1 30); do
    su postgres -c "pg_isready -q" && break
    sleep 1
done
su postgres -c "psql -v ON_ERROR_STOP=1 -q" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN
    CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}';
  END IF;
END \$\$;
SQL
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = '${DB}'\"" | grep -q 1; then
    su postgres -c "createdb -O ${ROLE} ${DB}" >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="${VERSION}" '$1==v && $2=="main" {print $3}')"
echo "postgresql://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${DB}"
