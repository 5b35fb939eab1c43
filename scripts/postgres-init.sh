#!/usr/bin/env bash
# Creates the compliance database beside Airflow's (run once by the postgres image on first start).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE USER compliance WITH PASSWORD '${COMPLIANCE_DB_PASSWORD}';
CREATE DATABASE compliance OWNER compliance;
SQL
