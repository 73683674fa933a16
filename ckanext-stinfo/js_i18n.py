"""Translations of CKAN's JavaScript modules (upload buttons, confirm dialogs, autocomplete, ...).

The browser asks ``/api/i18n/<lang>`` for them, and CKAN answers with the JSON file
``<ckan.storage_path>/i18n/js/<lang>.js``, or ``{}`` when it does not exist. CKAN 2.12 writes these
files (``ckan.lib.i18n.build_js_translations``: CKAN's catalogues, then those of the plugins that
implement ``ITranslation``, so ours) only in ``ckan run`` and ``ckan translation js``; a portal served
by gunicorn or uWSGI never has them and its widgets stay in English. The portal therefore builds them
when its application starts (``ckanext.stinfo.js_translations.build``). CKAN rewrites a file only when
a catalogue is newer than it, so a start with nothing changed costs a few milliseconds.
"""
from __future__ import annotations

import fcntl
import logging
import os

from ckan.lib import i18n

log = logging.getLogger(__name__)

LOCK_NAME = ".build.lock"


def build() -> bool:
    """Write the JavaScript translations of every language that is out of date; True on success.

    Several processes start at once (web workers, job and harvest workers); a lock in the target
    folder lets one write while the others wait, then find the files up to date. A folder that
    cannot be written is reported in the log and does not stop the portal.
    """
    target = i18n.get_js_translations_dir()
    try:
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, LOCK_NAME), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                i18n.build_js_translations()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    except OSError:
        log.exception("Cannot write the JavaScript translations into %s: the portal's widgets will "
                      "show English. Make the folder writable or run `ckan translation js`.", target)
        return False
    return True
