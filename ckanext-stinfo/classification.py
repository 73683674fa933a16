"""State secrets are out of scope: records marked as classified never enter the system."""
from __future__ import annotations

from typing import Any

from ckanext.stinfo.identifiers import N_

#: Keys under which sources and API clients mark a record's security classification.
MARKERS = ("state_secret", "mat", "do_mat", "secret", "classification", "security_classification")
#: Values of those keys that mean "classified" (Vietnamese: mật, tối mật, tuyệt mật).
CLASSIFIED = {"true", "1", "yes", "mật", "tối mật", "tuyệt mật", "secret", "top secret", "confidential"}
REFUSED = N_("Records classified as state secrets must never enter the system; this record was refused.")


def is_state_secret(record: dict[str, Any] | None) -> bool:
    """True when the record says it is classified."""
    for key in MARKERS:
        value = (record or {}).get(key)
        if value is True or str(value).strip().lower() in CLASSIFIED:
            return True
    return False
