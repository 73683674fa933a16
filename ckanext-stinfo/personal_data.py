"""Personal identification numbers: checked on input, stored only as a keyed fingerprint, and
never shown, indexed or exported to anyone but sysadmins.

A field is restricted when its schema field says ``restricted: true``. What is stored is
``hmac-sha256:<hex>`` keyed with ``ckanext.stinfo.personal_id.key`` (default: the site's
SECRET_KEY), so that even a leak of the database does not reveal the numbers, while the same
person can still be matched across records by an administrator.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
from typing import Any

from ckan import authz
from ckan.plugins import toolkit
from ckanext.stinfo import schema_fields

PREFIX = "hmac-sha256:"
FINGERPRINT = re.compile(r"^hmac-sha256:[0-9a-f]{64}$")


def fingerprint(number: str) -> str:
    """The stored form of a (normalised) personal identification number."""
    key = toolkit.config.get("ckanext.stinfo.personal_id.key") or toolkit.config["SECRET_KEY"]
    return PREFIX + hmac.new(str(key).encode(), number.encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=1)
def restricted_fields() -> frozenset[str]:
    """Names of the dataset fields marked ``restricted: true`` in any schema."""
    return schema_fields.names_where(lambda field: bool(field.get("restricted")))


def may_see(user: str | None, user_obj: Any = None) -> bool:
    """Only sysadmins see restricted fields (as fingerprints). ``user_obj``: the user's object when
    the caller has it (an action's ``auth_user_obj``), to spare a query."""
    if not user:
        return False
    if user_obj is not None and getattr(user_obj, "name", None) == user:
        return bool(getattr(user_obj, "sysadmin", False))
    return authz.is_sysadmin(user)


def for_the_index(context: dict[str, Any]) -> bool:
    """Whether a ``package_show`` is CKAN's own, for a search index document (unvalidated:
    ``index_update_package``, ckanext-harvest's source re-index, the batched rebuild): no person
    sees it, and the document carries no restricted field."""
    return context.get("validate", True) is False


def strip(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Remove restricted fields from a dataset dict, its extras and serialised copies."""
    fields = restricted_fields()
    for name in fields:
        pkg_dict.pop(name, None)
        pkg_dict.pop(f"extras_{name}", None)
    if isinstance(pkg_dict.get("extras"), list):
        pkg_dict["extras"] = [e for e in pkg_dict["extras"] if e.get("key") not in fields]
    for serialised in ("data_dict", "validated_data_dict"):
        text = pkg_dict.get(serialised)
        if isinstance(text, str) and any(f'"{name}"' in text for name in fields):
            inner = json.loads(text)
            pkg_dict[serialised] = json.dumps(strip(inner))
    return pkg_dict
