# Shared functions of the local stack scripts (sourced, not run).
# Everything lives under $STINFO_VAR (default: <repo>/var); every step is idempotent.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${STINFO_VAR:-$ROOT/var}
VENV=${STINFO_VENV:-$ROOT/.venv}
PY=$VENV/bin/python
PG_PORT=${STINFO_PG_PORT:-5433}
REDIS_PORT=${STINFO_REDIS_PORT:-6380}
SOLR_PORT=${STINFO_SOLR_PORT:-8983}
WEB_PORT=${STINFO_WEB_PORT:-5000}
STANDIN_PORT=${STINFO_STANDIN_PORT:-8800}
PG_BIN=${STINFO_PG_BIN:-}
SOLR_HEAP=${STINFO_SOLR_HEAP:-1g}
mkdir -p "$VAR/log" "$VAR/run"

step() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() {
  printf '\033[1;31mERROR:\033[0m %s\n' "$1" >&2
  [ $# -gt 1 ] && printf '       %s\n' "${@:2}" >&2
  exit 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Install missing Debian packages (apt-get update once per machine).
need_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "Installing Debian packages: ${missing[*]}"
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand."
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    die "Packages ${missing[*]} are missing and this user cannot install them." \
        "Run as root once, or install them with your package manager."
  fi
  as_root apt-get update -qq || die "apt-get update failed: check the network or the Debian mirror."
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >"$VAR/log/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed." "See $VAR/log/apt.log."
}

# True when something listens on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fail unless the port is free or held by the process in pidfile $2.
port_free_or_ours() {
  local port=$1 pidfile=$2 what=$3
  if port_open "$port" && ! pid_alive "$pidfile"; then
    die "Port $port (for $what) is taken by another program." \
        "Stop it, or choose another port: ${4:-STINFO_*_PORT}=<port> $0"
  fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for <seconds> <description> <command...>: poll until the command succeeds.
wait_for() {
  local seconds=$1 what=$2; shift 2
  for _ in $(seq "$seconds"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }  # stamp_of [files] (or stdin)

# ---------------------------------------------------------------- Python
ensure_venv() {
  command -v python3 >/dev/null || die "python3 not found." "Install Python 3.10 or newer."
  need_apt libpq-dev libmagic1 build-essential python3-venv
  if [ ! -x "$PY" ]; then
    step "Creating the Python environment in $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed." "Install python3-venv."
  fi
  local stamp
  stamp=$( (cat "$ROOT/setup.py" "$ROOT"/requirements*.txt "$ROOT/constraints.txt"; package_files) | stamp_of)
  if [ "$(cat "$VENV/.stinfo-stamp" 2>/dev/null)" != "$stamp" ]; then
    step "Installing CKAN, its extensions and STInfo into $VENV (first run takes a few minutes)"
    "$PY" -m pip install -q --upgrade "pip>=24" "setuptools>=69" wheel \
      || die "pip could not upgrade itself: is PyPI reachable?"
    "$PY" -m pip install -q -c "$ROOT/constraints.txt" -r "$ROOT/requirements.txt" \
      -r "$ROOT/requirements-dev.txt" \
      || die "pip install of the pinned requirements failed." "See the messages above."
    compile_catalogs
    # Strict editable install: a tree of links laid out as installed (ckanext/stinfo/...), where
    # CKAN finds the plugin's migrations and files as in a production install. Adding a file
    # changes the stamp, so the next run links it.
    "$PY" -m pip install -q --no-deps -e "$ROOT" --config-settings editable_mode=strict 2>"$VAR/log/pip-editable.log" \
      || die "pip install -e . failed." "See $VAR/log/pip-editable.log."
    echo "$stamp" >"$VENV/.stinfo-stamp"
  fi
  compile_catalogs
}

# package_files: the names of the files the package installs (their contents are linked).
package_files() {
  (cd "$ROOT" && find ckanext-stinfo harvesters schemas i18n docs -type f \
    -not -path '*/__pycache__/*' -not -name '*.pyc' -not -name '*.mo' | LC_ALL=C sort)
}

compile_catalogs() {
  local po
  for po in "$ROOT"/i18n/*/LC_MESSAGES/*.po; do
    [ -e "$po" ] || continue
    if [ ! -f "${po%.po}.mo" ] || [ "$po" -nt "${po%.po}.mo" ]; then
      "$VENV/bin/pybabel" -q compile -i "$po" -o "${po%.po}.mo" || die "Cannot compile $po."
    fi
  done
}

ckan_cli() { "$VENV/bin/ckan" -c "$INI" "$@"; }

# ---------------------------------------------------------------- PostgreSQL
pg_bin() {
  if [ -z "$PG_BIN" ]; then
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
  [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL server binaries not found." "Install postgresql."
}

pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_admin() { "$PG_BIN/psql" -h "$VAR/pg/run" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

start_postgres() {
  if [ -n "${CKAN_SQLALCHEMY_URL:-}" ]; then note "PostgreSQL: external ($CKAN_SQLALCHEMY_URL)"; return; fi
  need_apt postgresql postgresql-contrib
  pg_bin
  local data=$VAR/pg/data pidfile=$VAR/pg/data/postmaster.pid
  if [ ! -f "$data/PG_VERSION" ]; then
    step "Creating a PostgreSQL cluster in $data"
    mkdir -p "$VAR/pg/run" "$data"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$VAR/pg"
    pg_as_owner "$PG_BIN/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$VAR/log/initdb.log" 2>&1 \
      || die "initdb failed." "See $VAR/log/initdb.log."
  fi
  if pg_as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    note "PostgreSQL: running on 127.0.0.1:$PG_PORT"
  else
    port_free_or_ours "$PG_PORT" /nonexistent PostgreSQL STINFO_PG_PORT
    step "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$VAR/log" 2>/dev/null; touch "$VAR/log/postgres.log"
    [ "$(id -u)" = 0 ] && chown postgres "$VAR/log/postgres.log"
    pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$VAR/log/postgres.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $VAR/pg/run -c fsync=${STINFO_PG_FSYNC:-on}" \
      >/dev/null || die "PostgreSQL did not start." "See $VAR/log/postgres.log."
  fi
  wait_for 30 PostgreSQL psql_admin -c "select 1" || die "PostgreSQL does not answer on port $PG_PORT."
  : "$pidfile"
}

# ensure_database <db> : role ckan_default owns it; password kept in $VAR/secrets.
ensure_database() {
  local db=$1
  [ -n "${CKAN_SQLALCHEMY_URL:-}" ] && return 0
  local pw; pw=$(secret pg_password)
  if [ "$(psql_admin -c "select 1 from pg_roles where rolname='ckan_default'")" != 1 ]; then
    psql_admin -c "create role ckan_default login password '$pw'"
  fi
  if [ "$(psql_admin -c "select 1 from pg_roles where rolname='datastore_ro'")" != 1 ]; then
    psql_admin -c "create role datastore_ro login password '$pw'"
  fi
  for name in "$db" "${db}_datastore"; do
    if [ "$(psql_admin -c "select 1 from pg_database where datname='$name'")" != 1 ]; then
      note "Creating database $name"
      psql_admin -c "create database \"$name\" owner ckan_default encoding 'UTF8' template template0"
    fi
  done
}

# secret <name>: a random value created once and kept in $VAR/secrets/<name>.
secret() {
  local file=$VAR/secrets/$1
  if [ ! -s "$file" ]; then
    mkdir -p "$VAR/secrets"; chmod 700 "$VAR/secrets"
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$file")
  fi
  cat "$file"
}

# ---------------------------------------------------------------- Redis
start_redis() {
  if [ -n "${CKAN_REDIS_URL:-}" ]; then note "Redis: external ($CKAN_REDIS_URL)"; return; fi
  need_apt redis-server
  local pidfile=$VAR/run/redis.pid
  if pid_alive "$pidfile"; then note "Redis: running on 127.0.0.1:$REDIS_PORT"; return; fi
  port_free_or_ours "$REDIS_PORT" "$pidfile" Redis STINFO_REDIS_PORT
  step "Starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$VAR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" --daemonize yes \
    --pidfile "$pidfile" --logfile "$VAR/log/redis.log" --appendonly yes --save 60 1 \
    || die "Redis did not start." "See $VAR/log/redis.log."
  wait_for 20 Redis redis-cli -p "$REDIS_PORT" ping || die "Redis does not answer on port $REDIS_PORT."
}

# ---------------------------------------------------------------- Solr
solr_url() { echo "${CKAN_SOLR_URL:-http://127.0.0.1:$SOLR_PORT/solr/ckan}"; }

build_solr() {
  command -v java >/dev/null || die "Java not found: Solr 9 needs a JDK 11+." "Install openjdk-17-jdk-headless."
  command -v javac >/dev/null || need_apt openjdk-17-jdk-headless
  command -v mvn >/dev/null || need_apt maven
  local dir=$VAR/solr stamp
  stamp=$(stamp_of "$ROOT/deploy/solr/pom.xml" "$ROOT/deploy/solr/Launcher.java")
  if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    step "Assembling Solr 9 from Maven Central into $dir (first run downloads about 90 MB)"
    rm -rf "$dir/lib" "$dir/classes"; mkdir -p "$dir/classes"
    mvn -q -B -f "$ROOT/deploy/solr/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$dir/lib" >"$VAR/log/maven.log" 2>&1 \
      || die "Maven could not fetch Solr." "See $VAR/log/maven.log (is Maven Central reachable?)."
    javac -cp "$dir/lib/*" -d "$dir/classes" "$ROOT/deploy/solr/Launcher.java" \
      || die "Compiling the Solr launcher failed."
    echo "$stamp" >"$dir/.stamp"
  fi
  # Core configuration: refreshed on every start so schema changes reach Solr.
  local conf=$dir/home/ckan/conf
  mkdir -p "$conf"
  [ -f "$dir/home/solr.xml" ] || echo '<solr/>' >"$dir/home/solr.xml"
  echo 'name=ckan' >"$dir/home/ckan/core.properties"
  "$PY" "$ROOT/deploy/solr/make_schema.py" "$conf/schema.xml" || die "Cannot write the Solr schema."
  cp "$ROOT"/config/solr/solrconfig.xml "$ROOT"/config/solr/*.txt "$conf/"
}

start_solr() {
  if [ -n "${CKAN_SOLR_URL:-}" ]; then note "Solr: external ($CKAN_SOLR_URL)"; return; fi
  local pidfile=$VAR/run/solr.pid dir=$VAR/solr
  build_solr
  if pid_alive "$pidfile"; then
    if ! cmp -s "$dir/home/ckan/conf/schema.xml" "$dir/running-schema.xml"; then
      step "Solr schema changed: restarting Solr"; stop_pid solr
    else
      note "Solr: running on 127.0.0.1:$SOLR_PORT"; return
    fi
  fi
  if [ -f "$dir/running-schema.xml" ] && ! cmp -s "$dir/home/ckan/conf/schema.xml" "$dir/running-schema.xml"; then
    if "$PY" "$ROOT/deploy/solr/keeps_index.py" "$dir/running-schema.xml" "$dir/home/ckan/conf/schema.xml"; then
      # Only the text analysis or the copy rules changed: the index stays searchable while
      # each site is re-indexed from the documents it stores.
      note "Search index kept for the new schema (each site is re-indexed from its stored documents)"
    else
      # A field may have changed type: Lucene cannot mix both in one index. The index is derived
      # data, so it is emptied here and every site is re-indexed from its database.
      note "Emptying the search index for the new schema (each site is re-indexed from PostgreSQL)"
      rm -rf "$dir/data/ckan" "$dir"/indexed-schema-*.xml
    fi
  fi
  port_free_or_ours "$SOLR_PORT" "$pidfile" Solr STINFO_SOLR_PORT
  step "Starting Solr 9 on 127.0.0.1:$SOLR_PORT"
  nohup java -Xms256m "-Xmx$SOLR_HEAP" -Dsolr.install.dir="$dir/home" -Dsolr.log.dir="$VAR/log" \
    -Dlog4j2.configurationFile="$ROOT/config/solr/log4j2.xml" -Dsolr.lock.type=single \
    -Dsolr.data.home="$dir/data" -cp "$dir/lib/*:$dir/classes" \
    Launcher "$dir/home" "$SOLR_PORT" >"$VAR/log/solr.out" 2>&1 &
  echo $! >"$pidfile"
  cp "$dir/home/ckan/conf/schema.xml" "$dir/running-schema.xml"
  if ! wait_for 90 Solr curl -fsS "$(solr_url)/admin/ping"; then
    local cause; cause=$(grep -h "Caused by" "$VAR/log/solr.log" 2>/dev/null | tail -1 | cut -c1-300)
    stop_pid solr; rm -f "$dir/running-schema.xml"
    die "Solr did not become healthy${cause:+: $cause}" "See $VAR/log/solr.out and $VAR/log/solr.log."
  fi
}

# reindex_if_schema_changed <site id>: rebuild that site's index when the schema it was built
# with differs from the running one: from the documents it stores when the index was kept
# (datasets changed since, or missing, from the database), else from the database.
reindex_if_schema_changed() {
  [ -n "${CKAN_SOLR_URL:-}" ] && return 0
  local stamp=$VAR/solr/indexed-schema-$1.xml
  cmp -s "$VAR/solr/running-schema.xml" "$stamp" && return 0
  if [ -f "$stamp" ]; then
    step "Re-indexing $1 for the current Solr schema, from its stored documents"
    ckan_cli stinfo search-index-rebuild --from-index >"$VAR/log/search-index.log" 2>&1 \
      || die "Re-indexing the search index failed." "See $VAR/log/search-index.log."
  else
    step "Rebuilding the search index of $1 for the current Solr schema"
    { ckan_cli search-index clear && ckan_cli stinfo search-index-rebuild; } >"$VAR/log/search-index.log" 2>&1 \
      || die "Rebuilding the search index failed." "See $VAR/log/search-index.log."
  fi
  cp "$VAR/solr/running-schema.xml" "$stamp"
}

# ---------------------------------------------------------------- processes
# start_bg <name> <command...>: run in the background with a pidfile and a log.
start_bg() {
  local name=$1; shift
  local pidfile=$VAR/run/$name.pid
  if pid_alive "$pidfile"; then note "$name: running"; return; fi
  nohup "$@" >"$VAR/log/$name.log" 2>&1 &
  echo $! >"$pidfile"
  note "$name: started (log: var/log/$name.log)"
}

stop_pid() {
  local pidfile=$VAR/run/$1.pid
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid; pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  note "$1: stopped"
}

# ---------------------------------------------------------------- CKAN config
# write_ini <file> <database> <site_id> <redis db>: the local ini, chained on config/ckan.ini.
write_ini() {
  local file=$1 db=$2 site_id=$3 redis_db=$4 pw
  pw=$(secret pg_password)
  mkdir -p "$VAR/storage"
  cat >"$file" <<INI
# Generated by deploy/ scripts for the local stack; edit config/ckan.ini instead.
[DEFAULT]
debug = false

[app:main]
use = config:$ROOT/config/ckan.ini
SECRET_KEY = $(secret ckan_secret_key)
sqlalchemy.url = postgresql://ckan_default:$pw@127.0.0.1:$PG_PORT/$db
ckan.datastore.write_url = postgresql://ckan_default:$pw@127.0.0.1:$PG_PORT/${db}_datastore
ckan.datastore.read_url = postgresql://datastore_ro:$pw@127.0.0.1:$PG_PORT/${db}_datastore
solr_url = $(solr_url)
ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/$redis_db
ckan.site_url = http://127.0.0.1:$WEB_PORT
ckan.site_id = $site_id
ckan.storage_path = $VAR/storage/$site_id
ckan.harvest.mq.type = redis
ckan.harvest.mq.hostname = 127.0.0.1
ckan.harvest.mq.port = $REDIS_PORT
ckan.harvest.mq.redis_db = $redis_db
# Stand-in sources of the demo and the tests run on loopback.
ckanext.stinfo.harvest.allowed_hosts = 127.0.0.1 localhost
INI
}

# init_database: CKAN tables, the extensions' migrations and DataStore permissions.
init_database() {
  step "Initialising the database (CKAN, harvest, activity, DataStore)"
  ckan_cli db init >"$VAR/log/db-init.log" 2>&1 || die "ckan db init failed." "See $VAR/log/db-init.log."
  ckan_cli stinfo check-migrations >>"$VAR/log/db-init.log" 2>&1 \
    || die "The STInfo database tables are missing." "See $VAR/log/db-init.log."
  set_datastore_permissions "$1"
}

# set_datastore_permissions <db>: CKAN's DataStore grants, applied as the superuser (local stack).
set_datastore_permissions() {
  [ -n "${CKAN_SQLALCHEMY_URL:-}" ] && return 0
  ckan_cli datastore set-permissions 2>>"$VAR/log/db-init.log" | psql_admin -d "$1_datastore" >/dev/null \
    || die "Setting DataStore permissions failed." "See $VAR/log/db-init.log."
}

# ---------------------------------------------------------------- portal processes
PORTAL_PROCESSES="harvest-scheduler harvest-fetch harvest-gather jobs-worker web"

stop_portal() { local name; for name in $PORTAL_PROCESSES; do stop_pid "$name" >/dev/null; done; }

# start_portal: (re)start the portal of $INI and its harvest and job workers; wait until it answers.
start_portal() {
  stop_portal
  port_free_or_ours "$WEB_PORT" "$VAR/run/web.pid" "the portal" STINFO_WEB_PORT
  # gunicorn, as in production: several workers instead of CKAN's single-process dev server
  start_bg web env CKAN_INI="$INI" "$VENV/bin/gunicorn" --chdir "$ROOT/deploy" --bind "127.0.0.1:$WEB_PORT" \
    --workers "${STINFO_WEB_WORKERS:-3}" --threads 4 --timeout 120 wsgi:application
  start_bg harvest-gather "$VENV/bin/ckan" -c "$INI" harvester gather-consumer
  start_bg harvest-fetch "$VENV/bin/ckan" -c "$INI" stinfo fetch-consumer
  start_bg jobs-worker "$VENV/bin/ckan" -c "$INI" jobs worker
  start_bg harvest-scheduler "$ROOT/deploy/harvest-scheduler" "$INI"
  wait_for 90 portal curl -fsS "http://127.0.0.1:$WEB_PORT/api/3/action/status_show" \
    || die "The portal does not answer on port $WEB_PORT." "See $VAR/log/web.log."
}

# ---------------------------------------------------------------- backup and restore
# backup_target: the site deploy/backup and deploy/restore work on.
#   DB: STINFO_DB, default stinfo, the portal of deploy/run (var/ckan.ini, site id stinfo, Redis
#       db 0); any other name is a site as deploy/test makes them (var/<db>.ini, site id <db>,
#       Redis db 1). Its DataStore database is <db>_datastore.
#   INI: STINFO_INI, or the ini above.
#   EXTERNAL: 1 when CKAN_SQLALCHEMY_URL names the databases (CKAN_DATASTORE_WRITE_URL the
#       DataStore's) instead of the local cluster.
#   BACKUPS: STINFO_BACKUP_DIR, default var/backups.
backup_target() {
  DB=${STINFO_DB:-stinfo}
  if [ "$DB" = stinfo ]; then
    SITE_ID=stinfo REDIS_DB=0 INI=${STINFO_INI:-$VAR/ckan.ini}
  else
    SITE_ID=$DB REDIS_DB=1 INI=${STINFO_INI:-$VAR/$DB.ini}
  fi
  EXTERNAL=0
  [ -n "${CKAN_SQLALCHEMY_URL:-}" ] && EXTERNAL=1
  BACKUPS=${STINFO_BACKUP_DIR:-$VAR/backups}
}

# pg_tool <program>: the newest installed PostgreSQL client program (pg_dump, pg_restore, psql);
# it must be at least the server's major version.
pg_tool() {
  local dir
  for dir in ${PG_BIN:+"$PG_BIN"} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [ -x "$dir/$1" ] && { echo "$dir/$1"; return 0; }
  done
  command -v "$1" 2>/dev/null || die "$1 not found." "Install the PostgreSQL client programs (postgresql-client)."
}

# libpq_url <SQLAlchemy URL>: the same URL for libpq programs (no "+driver" in the scheme).
libpq_url() { echo "$1" | sed -E 's|^postgres(ql)?\+[a-z0-9_]+://|postgresql://|'; }

# ini_option <key>: a CKAN option as $INI sets it (following its `use = config:` chain); empty
# when $INI or the Python environment is missing.
ini_option() {
  [ -f "$INI" ] && [ -x "$PY" ] || return 0
  "$PY" - "$INI" "$1" 2>/dev/null <<'PYTHON'
import sys
from ckan.cli import CKANConfigLoader
print(CKANConfigLoader(sys.argv[1]).get_config().get(sys.argv[2], ""))
PYTHON
}

# storage_path: where CKAN keeps uploads: CKAN_STORAGE_PATH, else ckan.storage_path of $INI.
storage_path() { echo "${CKAN_STORAGE_PATH:-$(ini_option ckan.storage_path)}"; }
