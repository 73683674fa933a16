#!/bin/bash
# Entrypoint of every STInfo CKAN container (web, job worker, harvest
# consumers, harvest scheduler).
#
# Each container has its own copy of ckan.ini from the image. Before running
# the command, bring that copy in line with the environment (.env):
#   - ckan.plugins from CKAN__PLUGINS, so every process loads the same plugins
#     (the web container's start_ckan.sh would do this too, the workers have
#     no start script);
#   - SECRET_KEY from CKAN___SECRET_KEY, so all containers share one stable
#     key and start_ckan.sh does not generate a random one per container.
# Everything else is read from the environment at run time, by CKAN core
# (CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, CKAN_REDIS_URL, CKAN_SITE_URL, ...) and
# by the `envvars` plugin (CKAN__* and CKAN___* variables).
set -euo pipefail

ini="${CKAN_INI:-/srv/app/ckan.ini}"

if [[ -n "${CKAN__PLUGINS:-}" ]]; then
    ckan config-tool "$ini" "ckan.plugins = ${CKAN__PLUGINS}" > /dev/null
fi

if [[ -n "${CKAN___SECRET_KEY:-}" ]]; then
    ckan config-tool "$ini" "SECRET_KEY = ${CKAN___SECRET_KEY}" > /dev/null
fi

exec "$@"
