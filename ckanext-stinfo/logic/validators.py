"""CKAN validators for STInfo identifiers, shared lists and periods.

Every identifier validator leaves empty values alone (whether a field is required
is the schema's business) and replaces a valid value with its canonical form.
``stinfo_vocabulary`` and ``stinfo_period`` are ckanext-scheming validators: the
schema field configures them (``vocabulary``, ``period_start``).
"""
from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckanext.scheming.validation import scheming_validator
from ckanext.stinfo import identifiers, personal_data
from ckanext.stinfo.vocabularies import VocabularyError, vocabulary

__all__ = [
    "stinfo_tax_code",
    "stinfo_personal_id",
    "stinfo_orcid",
    "stinfo_doi",
    "stinfo_issn",
    "stinfo_isbn",
    "stinfo_ror",
    "stinfo_ipc",
    "stinfo_ics",
    "stinfo_tcvn_number",
    "stinfo_qcvn_number",
    "stinfo_patent_application_number",
    "stinfo_result_registration_number",
    "stinfo_gazette_number",
    "stinfo_tbt_symbol",
    "stinfo_hs",
    "stinfo_latitude",
    "stinfo_longitude",
    "stinfo_date",
    "stinfo_partial_date",
    "stinfo_year",
    "stinfo_vocabulary",
    "stinfo_period",
    "stinfo_personal_id_protect",
    "stinfo_keep_stored",
    "stinfo_owner_org",
    "stinfo_package_name",
]

LIST_EXPECTED = identifiers.N_("Expected a list, or codes separated by commas, semicolons or new lines.")
NOT_IN_VOCABULARY = identifiers.N_("'{code}' is not a code of the list '{name}'.")


def _is_empty(value: Any) -> bool:
    return value is toolkit.missing or value is None or value == "" or value == []


def _message(error: identifiers.IdentifierError) -> str:
    """Translate the error's template, then fill in its parameters."""
    return toolkit._(error.template).format(**error.params)


def _normalize(normalize: Callable[[Any], str], value: Any) -> Any:
    if _is_empty(value):
        return value
    try:
        return normalize(value)
    except identifiers.IdentifierError as error:
        raise toolkit.Invalid(_message(error)) from error


def _as_list(value: Any) -> list[Any]:
    """Return the items of a list, a JSON array or a comma/semicolon/newline separated text."""
    if isinstance(value, str):
        if value.lstrip().startswith("["):
            try:
                loaded = json.loads(value)
            except ValueError:
                loaded = None
            if isinstance(loaded, list):
                return loaded
        return re.split(r"[,;\n]", value)
    if isinstance(value, (list, tuple)):
        return list(value)
    raise toolkit.Invalid(toolkit._(LIST_EXPECTED))


def _normalize_list(normalize: Callable[[Any], str], value: Any) -> Any:
    if _is_empty(value):
        return value
    result: list[str] = []
    for item in _as_list(value):
        if isinstance(item, str) and not item.strip():
            continue
        code = _normalize(normalize, item)
        if code not in result:
            result.append(code)
    return result


def stinfo_tax_code(value: Any) -> Any:
    """Normalise a Vietnamese tax code (MST)."""
    return _normalize(identifiers.normalize_tax_code, value)


def stinfo_personal_id(value: Any) -> Any:
    """Normalise a 12-digit personal identification number."""
    return _normalize(identifiers.normalize_personal_id, value)


def stinfo_orcid(value: Any) -> Any:
    """Normalise an ORCID iD."""
    return _normalize(identifiers.normalize_orcid, value)


def stinfo_doi(value: Any) -> Any:
    """Normalise a DOI."""
    return _normalize(identifiers.normalize_doi, value)


def stinfo_issn(value: Any) -> Any:
    """Normalise an ISSN."""
    return _normalize(identifiers.normalize_issn, value)


def stinfo_isbn(value: Any) -> Any:
    """Normalise an ISBN to 13 digits."""
    return _normalize(identifiers.normalize_isbn, value)


def stinfo_ror(value: Any) -> Any:
    """Normalise a ROR ID to its URL form."""
    return _normalize(identifiers.normalize_ror, value)


def stinfo_ipc(value: Any) -> Any:
    """Normalise IPC symbols given as a list or separated text; stores a list."""
    return _normalize_list(identifiers.normalize_ipc, value)


def stinfo_ics(value: Any) -> Any:
    """Normalise ICS codes given as a list or separated text; stores a list."""
    return _normalize_list(identifiers.normalize_ics, value)


def stinfo_tcvn_number(value: Any) -> Any:
    """Normalise a national standard number (TCVN)."""
    return _normalize(identifiers.normalize_tcvn_number, value)


def stinfo_qcvn_number(value: Any) -> Any:
    """Normalise a national technical regulation number (QCVN)."""
    return _normalize(identifiers.normalize_qcvn_number, value)


def stinfo_patent_application_number(value: Any) -> Any:
    """Normalise a Vietnamese patent application number."""
    return _normalize(identifiers.normalize_patent_application_number, value)


def stinfo_result_registration_number(value: Any) -> Any:
    """Normalise an S&T result registration number."""
    return _normalize(identifiers.normalize_result_registration_number, value)


def stinfo_gazette_number(value: Any) -> Any:
    """Normalise an industrial property gazette issue (number and volume, ``426A``)."""
    return _normalize(identifiers.normalize_gazette_number, value)


def stinfo_tbt_symbol(value: Any) -> Any:
    """Normalise a WTO TBT notification symbol (``G/TBT/N/VNM/312/Add.1``)."""
    return _normalize(identifiers.normalize_tbt_symbol, value)


def stinfo_hs(value: Any) -> Any:
    """Normalise HS codes given as a list or separated text to digits; stores a list."""
    return _normalize_list(identifiers.normalize_hs_code, value)


def stinfo_latitude(value: Any) -> Any:
    """Normalise a latitude in decimal degrees, -90 to 90."""
    return _normalize(identifiers.normalize_latitude, value)


def stinfo_longitude(value: Any) -> Any:
    """Normalise a longitude in decimal degrees, -180 to 180."""
    return _normalize(identifiers.normalize_longitude, value)


def stinfo_date(value: Any) -> Any:
    """Normalise a full date to YYYY-MM-DD."""
    return _normalize(identifiers.normalize_date, value)


def stinfo_partial_date(value: Any) -> Any:
    """Normalise a date that may give only the year or the month."""
    return _normalize(identifiers.normalize_partial_date, value)


def stinfo_year(value: Any) -> Any:
    """Normalise a four-digit year between 1900 and five years from now."""
    return _normalize(identifiers.normalize_year, value)


def _codes(value: Any) -> list[Any]:
    """Return the codes of a single choice, a list or a JSON-encoded list."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str) and value.lstrip().startswith("["):
        return _as_list(value)
    return [value]


@scheming_validator
def stinfo_vocabulary(field: dict[str, Any], schema: dict[str, Any]) -> Callable[[Any], Any]:
    """Check that the value, or each value of a list, is a code of the list ``field['vocabulary']``."""
    if "vocabulary" not in field:
        name = field.get("field_name")
        raise VocabularyError(f"Field {name!r} uses stinfo_vocabulary but names no vocabulary.")
    vocab = vocabulary(field["vocabulary"])

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        for code in _codes(value):
            if code not in vocab:
                raise toolkit.Invalid(toolkit._(NOT_IN_VOCABULARY).format(code=code, name=vocab.name))
        return value

    return validator


def _partial_date(value: Any) -> str | None:
    """Return ``value`` as a normalised partial date, or None if it is empty or malformed."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if _is_empty(value):
        return None
    try:
        return identifiers.normalize_partial_date(value)
    except identifiers.IdentifierError:
        return None


@scheming_validator
def stinfo_period(field: dict[str, Any], schema: dict[str, Any]) -> Callable[..., None]:
    """Check that this end-date field is not before the start-date field named in ``field['period_start']``.

    The start field sits beside this one (same flattened key prefix). Malformed or
    empty dates are left to those fields' own validators.
    """
    if "period_start" not in field:
        raise ValueError(f"Field {field.get('field_name')!r} uses stinfo_period but names no period_start.")
    start_name = field["period_start"]

    def validator(key: tuple, data: dict, errors: dict, context: dict) -> None:
        start_key = key[:-1] + (start_name,)
        if errors.get(key) or errors.get(start_key):
            return
        start, end = _partial_date(data.get(start_key)), _partial_date(data.get(key))
        if start is None or end is None:
            return
        try:
            identifiers.check_period(start, end)
        except identifiers.IdentifierError as error:
            errors.setdefault(key, []).append(_message(error))

    return validator


def _restore_stored(key: tuple, data: dict, context: dict) -> bool:
    """Put back the stored value of a field the form or client did not send; True if restored."""
    package = context.get("package")
    stored = package.extras.get(key[-1]) if package is not None and len(key) == 1 else None
    if stored:
        data[key] = stored
    return bool(stored)


def stinfo_keep_stored(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """Keep the stored value of a field that forms do not show (provenance) when it is not sent."""
    if _is_empty(data.get(key)):
        _restore_stored(key, data, context)


def stinfo_personal_id_protect(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """Check a personal identification number and store only its fingerprint.

    A missing value on update keeps the stored fingerprint (forms and API clients never
    receive it, so they cannot send it back).
    """
    value = data.get(key)
    if _is_empty(value):
        _restore_stored(key, data, context)
        return
    text = str(value).strip()
    if personal_data.FINGERPRINT.match(text):
        data[key] = text
        return
    try:
        data[key] = personal_data.fingerprint(identifiers.normalize_personal_id(text))
    except identifiers.IdentifierError as error:
        errors[key].append(_message(error))


def stinfo_owner_org(key: tuple, data: dict, errors: dict, context: dict) -> Any:
    """CKAN's ``owner_org_validator``, less its user and organisation queries where their answer
    is known: a dataset created or updated without permission checks (a harvest batch) for an
    organisation the caller has found in the same transaction (its id in the context's
    ``stinfo_organization_ids``), new or the one it already has, which that validator would
    accept as it is."""
    known = context.get("stinfo_organization_ids")
    if known and data.get(key) in known and context.get("ignore_auth"):
        package = context.get("package")
        if package is None or package.owner_org == data[key]:
            return data[key]
    return toolkit.get_validator("owner_org_validator")(key, data, errors, context)


def stinfo_package_name(key: tuple, data: dict, errors: dict, context: dict) -> Any:
    """CKAN's ``package_name_validator``; for a new dataset whose context says its name is checked
    later (``stinfo_names_checked_later``: a harvest batch, which asks the database about all its
    names at once) only the lengths are checked here."""
    if not context.get("stinfo_names_checked_later") or context.get("package") is not None:
        return toolkit.get_validator("package_name_validator")(key, data, errors, context)
    value = data[key]
    if len(value) < model.PACKAGE_NAME_MIN_LENGTH:
        raise toolkit.Invalid(toolkit._('Name "%s" length is less than minimum %s')
                              % (value, model.PACKAGE_NAME_MIN_LENGTH))
    if len(value) > model.PACKAGE_NAME_MAX_LENGTH:
        raise toolkit.Invalid(toolkit._('Name "%s" length is more than maximum %s')
                              % (value, model.PACKAGE_NAME_MAX_LENGTH))
    return None
