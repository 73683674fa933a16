#!/bin/bash
# Entrypoint of every STInfo CKAN container (web, job worker, harvest
# consumers, harvest scheduler).
#
# The container's ckan.ini (written at build by ckan_ini.py) chains on the
# repository's config/ckan.ini, copied into the image: every portal setting,
# the plugin list included, comes from there. Before running the command:
#   - export CKAN__PLUGINS as the plugin list of that ini. The base image sets
#     its own default list in CKAN__PLUGINS, and its start-up (prerun.py)
#     writes CKAN__PLUGINS into ckan.ini, as does the `envvars` plugin into
#     the running configuration: both must see the STInfo list;
#   - write SECRET_KEY from CKAN___SECRET_KEY into the container's ckan.ini,
#     so that all containers share one stable key and start_ckan.sh does not
#     generate a random one per container.
# Secrets and URLs are read from the environment at run time by CKAN core
# (CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, CKAN_REDIS_URL, CKAN_SITE_URL, ...) and
# by the `envvars` plugin (the other CKAN___* / CKANEXT__* variables).
set -euo pipefail

ini="${CKAN_INI:-/srv/app/ckan.ini}"

CKAN__PLUGINS=$(python3 - "$ini" <<'PY'
import configparser, sys
parser = configparser.RawConfigParser()
parser.read(sys.argv[1], encoding="utf-8")
print(" ".join(parser.get("app:main", "ckan.plugins").split()))
PY
)
export CKAN__PLUGINS

if [[ -n "${CKAN___SECRET_KEY:-}" ]]; then
    ckan config-tool "$ini" "SECRET_KEY = ${CKAN___SECRET_KEY}" > /dev/null
fi

exec "$@"
