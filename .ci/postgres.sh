#!/usr/bin/env bash
# Start the installed PostgreSQL 15 cluster and create the test role and databases (idempotent).
set -euo pipefail
pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consult') THEN
    CREATE ROLE consult LOGIN PASSWORD 'consult-ci';
  END IF;
END $$;
SQL
for db in consult_test consult_test_pg; do
  su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS $db'"
  su postgres -c "psql -q -c 'CREATE DATABASE $db OWNER consult'"
done
