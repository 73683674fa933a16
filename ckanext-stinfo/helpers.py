"""Template helpers of STInfo."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckanext.stinfo.vocabularies import vocabulary
from flask import has_request_context

__all__ = ["stinfo_vocabulary_choices"]

DEFAULT_LANG = "vi"


def _current_lang() -> str:
    """Return the language of the current request, or Vietnamese outside a request."""
    if has_request_context():
        return toolkit.h.lang() or DEFAULT_LANG
    return DEFAULT_LANG


def stinfo_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Return the choices of the list named in ``field['vocabulary']`` (a scheming ``choices_helper``)."""
    return vocabulary(field["vocabulary"]).choices(_current_lang())
