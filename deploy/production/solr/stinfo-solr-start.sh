#!/bin/bash
# Start Solr with the STInfo schema (CMD of deploy/production/solr/Dockerfile).
#
# solr-precreate copies the `ckan` configset into the core only when the core
# does not exist yet. A core created by an earlier image (on the solr_data
# volume) keeps its own copy of the schema, so install this image's schema
# into it first: a rebuilt image then really changes the analysis. After such
# a change, rebuild the index: `ckan search-index rebuild` in the ckan
# container (see README.md).
set -euo pipefail

configset="${SOLR_CONFIG_DIR:-/opt/solr/server/solr/configsets}/ckan"
core=/var/solr/data/ckan

if [[ -d "$core/conf" ]] && ! cmp -s "$configset/conf/managed-schema" "$core/conf/managed-schema"; then
    echo "stinfo: installing this image's schema into the existing core $core;" \
         "rebuild the search index (ckan search-index rebuild)"
    cp "$configset/conf/managed-schema" "$core/conf/managed-schema"
fi

exec solr-precreate ckan "$configset"
