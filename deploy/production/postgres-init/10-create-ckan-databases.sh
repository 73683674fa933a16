#!/bin/bash
# Runs once, when the postgres container initialises an empty data volume
# (files in /docker-entrypoint-initdb.d are ignored on later starts).
#
# Creates:
#   - the CKAN role (owner of both databases; also the datastore write user),
#   - the CKAN database,
#   - the read-only datastore role,
#   - the datastore database.
# The fine-grained datastore grants (read-only access, the _table_metadata
# view, ...) come from `ckan datastore set-permissions`, which the web
# container's start-up script applies through CKAN_DATASTORE_WRITE_URL; see
# README.md, "First run".
set -euo pipefail

: "${CKAN_DB_USER:?}" "${CKAN_DB_PASSWORD:?}" "${CKAN_DB:?}"
: "${DATASTORE_DB:?}" "${DATASTORE_READONLY_USER:?}" "${DATASTORE_READONLY_PASSWORD:?}"

# psql variables (:"name" for identifiers, :'name' for literals) do the quoting.
psql -v ON_ERROR_STOP=1 --no-psqlrc \
     --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
     -v ckan_user="$CKAN_DB_USER" -v ckan_password="$CKAN_DB_PASSWORD" -v ckan_db="$CKAN_DB" \
     -v ds_db="$DATASTORE_DB" \
     -v ds_ro_user="$DATASTORE_READONLY_USER" -v ds_ro_password="$DATASTORE_READONLY_PASSWORD" \
     <<'EOSQL'
CREATE ROLE :"ckan_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'ckan_password';
CREATE ROLE :"ds_ro_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'ds_ro_password';

CREATE DATABASE :"ckan_db" OWNER :"ckan_user" ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE :"ds_db" OWNER :"ckan_user" ENCODING 'UTF8' TEMPLATE template0;

-- The read-only datastore role may connect to the datastore database only.
REVOKE CONNECT ON DATABASE :"ckan_db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"ckan_db" TO :"ckan_user";
GRANT CONNECT ON DATABASE :"ds_db" TO :"ds_ro_user";
EOSQL

# Nobody but the owner creates objects in the datastore's public schema.
psql -v ON_ERROR_STOP=1 --no-psqlrc \
     --username "$POSTGRES_USER" --dbname "$DATASTORE_DB" \
     -v ds_ro_user="$DATASTORE_READONLY_USER" \
     <<'EOSQL'
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"ds_ro_user";
EOSQL
