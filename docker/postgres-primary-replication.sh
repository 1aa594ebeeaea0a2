#!/bin/sh
# Runs once, when the primary's data directory is created (docker-entrypoint-initdb.d): lets the
# replica stream from it with the same credentials (the superuser may replicate).
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
