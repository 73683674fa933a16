"""Write the CKAN containers' ckan.ini: a thin file chained on the shared config/ckan.ini.

Run at image build time (Dockerfile), with the repository's config/ckan.ini copied into the image:

    python3 ckan_ini.py /srv/app/config/ckan.ini /srv/app/ckan.ini

Every portal setting (schemas, locales, plugins, facets, DCAT profiles, authorisation...) stays
in config/ckan.ini; the file written here only adds what the containers need on top of it:

- ``use = config:<shared ini>``, so CKAN reads the shared settings first;
- ``ckan.plugins``: the shared list plus ``envvars`` (ckanext-envvars, shipped in the base image,
  applies the CKAN___* secret variables), last so that its settings are in place before the
  other plugins read theirs;
- ``SECRET_KEY`` left empty: stinfo-entrypoint.sh fills it from CKAN___SECRET_KEY;
- ``ckan.harvest.mq.type = redis`` (the queues live in the Redis of CKAN_REDIS_URL);
- the logging sections of the shared ini, because the base image's wsgi.py configures logging
  from this file itself (logging.config.fileConfig does not follow ``use =``).

Database, Solr, Redis and site URLs are not written: CKAN reads them from CKAN_SQLALCHEMY_URL,
CKAN_DATASTORE_*_URL, CKAN_SOLR_URL, CKAN_REDIS_URL and CKAN_SITE_URL at start-up.
"""
import configparser
import os
import sys

LOGGING = ("loggers", "handlers", "formatters")


def render(shared_path: str, target_path: str) -> str:
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # keep the case of option names
    parser.read(shared_path, encoding="utf-8")
    plugins = parser.get("app:main", "ckan.plugins").split()
    plugins = [p for p in plugins if p != "envvars"] + ["envvars"]
    use = os.path.relpath(shared_path, os.path.dirname(os.path.abspath(target_path)))

    lines = [
        "# Written at image build by deploy/production/ckan_ini.py: edit config/ckan.ini in the",
        "# repository instead. Secrets and URLs come from the environment (.env).",
        "[DEFAULT]",
        "debug = false",
        "",
        "[app:main]",
        f"use = config:{use}",
        "SECRET_KEY =",
        f"ckan.plugins = {' '.join(plugins)}",
        "ckan.harvest.mq.type = redis",
    ]
    sections = [s for s in parser.sections() if s in LOGGING or s.startswith(tuple(f"{s[:-1]}_" for s in LOGGING))]
    missing = [s for s in LOGGING if s not in sections]
    if missing:
        sys.exit(f"{shared_path} has no [{'], ['.join(missing)}] section: the containers need its logging sections")
    for section in sections:
        lines += ["", f"[{section}]"]
        lines += [f"{key} = {value}" for key, value in parser.items(section, raw=True) if key not in parser.defaults()]
    return "\n".join(lines) + "\n"


def main(shared_path: str, target_path: str) -> None:
    text = render(shared_path, target_path)
    with open(target_path, "w", encoding="utf-8") as out:
        out.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: ckan_ini.py <shared ckan.ini> <container ckan.ini>")
    main(sys.argv[1], sys.argv[2])
