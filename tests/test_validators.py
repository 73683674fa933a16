"""CKAN validators called directly, and the scheming ones through navl's validate()."""
import datetime
import inspect
import json

import pytest
from babel.messages.pofile import read_po
from ckan.lib.navl.dictization_functions import validate
from ckan.plugins import toolkit
from ckanext.stinfo import helpers, identifiers
from ckanext.stinfo.logic import validators as v
from ckanext.stinfo.vocabularies import VocabularyError

from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _plugins():
    """These tests call the functions directly: no CKAN plugins to load."""


def _message(template, **params):
    return toolkit._(template).format(**params)


def _invalid(validator, value):
    with pytest.raises(toolkit.Invalid) as caught:
        validator(value)
    return caught.value.error


@pytest.mark.parametrize(
    ("validator", "value", "expected"),
    [
        (v.stinfo_tax_code, "0314409058002", "0314409058-002"),
        (v.stinfo_personal_id, "001 090 123456", "001090123456"),
        (v.stinfo_orcid, "https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        (v.stinfo_doi, "doi:10.1038/NPHYS1170", "10.1038/nphys1170"),
        (v.stinfo_issn, "03785955", "0378-5955"),
        (v.stinfo_isbn, "0-306-40615-2", "9780306406157"),
        (v.stinfo_ror, "05dxps055", "https://ror.org/05dxps055"),
        (v.stinfo_tcvn_number, "tcvn 7870-1:2010", "TCVN 7870-1:2010"),
        (v.stinfo_qcvn_number, "QCVN 06:2022/bxd", "QCVN 06:2022/BXD"),
        (v.stinfo_patent_application_number, "1-2019-01234", "1-2019-01234"),
        (v.stinfo_result_registration_number, "2019-02-566/kqnc", "2019-02-566/KQNC"),
        (v.stinfo_date, "17/10/2025", "2025-10-17"),
        (v.stinfo_partial_date, "10/2025", "2025-10"),
        (v.stinfo_year, 2019, "2019"),
        (v.stinfo_ipc, "A61K 31/00, h01l21/02", ["A61K 31/00", "H01L 21/02"]),
        (v.stinfo_ics, "13.020\n91.140.90", ["13.020", "91.140.90"]),
        (v.stinfo_gazette_number, "Số 426 tập A", "426A"),
        (v.stinfo_tbt_symbol, "g/tbt/n/vnm/312/add.1", "G/TBT/N/VNM/312/Add.1"),
        (v.stinfo_hs, "8703.23; 8504.40.11", ["870323", "85044011"]),
        (v.stinfo_latitude, "21,0285", "21.0285"),
        (v.stinfo_latitude, 21.0285, "21.0285"),
        (v.stinfo_longitude, "105.8542", "105.8542"),
        (v.stinfo_longitude, 0, "0"),
    ],
)
def test_valid_values_are_normalised(validator, value, expected):
    assert validator(value) == expected


@pytest.mark.parametrize(
    ("validator", "value", "template", "params"),
    [
        (v.stinfo_tax_code, "0100047517", identifiers.TAX_CODE_CHECK_DIGIT, {"expected": "6"}),
        (v.stinfo_personal_id, "003090123456", identifiers.PERSONAL_ID_PROVINCE, {"code": "003"}),
        (v.stinfo_orcid, "0000-0002-1825-0098", identifiers.ORCID_CHECK, {"expected": "7"}),
        (v.stinfo_doi, "10.10/x", identifiers.DOI_FORMAT, {}),
        (v.stinfo_issn, "0378-5954", identifiers.ISSN_CHECK, {"expected": "5"}),
        (v.stinfo_isbn, "978-0-306-40615-8", identifiers.ISBN_CHECK, {"expected": "7"}),
        (v.stinfo_ror, "05dxps056", identifiers.ROR_CHECK, {"expected": "55"}),
        (v.stinfo_tcvn_number, "TCVN 7870-1", identifiers.TCVN_FORMAT, {}),
        (v.stinfo_qcvn_number, "QCVN 06:2022", identifiers.QCVN_FORMAT, {}),
        (v.stinfo_patent_application_number, "1-2019-00000", identifiers.PATENT_APPLICATION_SERIAL, {}),
        (v.stinfo_result_registration_number, "2019-566/KQNC", identifiers.RESULT_REGISTRATION_FORMAT, {}),
        (v.stinfo_date, "2023-02-29", identifiers.DATE_INVALID, {"value": "2023-02-29"}),
        (v.stinfo_partial_date, "2019-13", identifiers.DATE_INVALID, {"value": "2019-13"}),
        (v.stinfo_ipc, ["A61K 31/00", "Z99Z 1/00"], identifiers.IPC_FORMAT, {"value": "Z99Z 1/00"}),
        (v.stinfo_ics, "13.020, 13.02", identifiers.ICS_FORMAT, {"value": "13.02"}),
        (v.stinfo_gazette_number, "426C", identifiers.GAZETTE_NUMBER_FORMAT, {}),
        (v.stinfo_tbt_symbol, "G/TBT/N/VNM/312/Add1", identifiers.TBT_SYMBOL_FORMAT, {}),
        (v.stinfo_hs, ["8703.23", "8703.2"], identifiers.HS_CODE_FORMAT, {"value": "8703.2"}),
        (v.stinfo_hs, "7701", identifiers.HS_CODE_CHAPTER, {"value": "7701", "chapter": "77"}),
        (v.stinfo_latitude, "105.8542", identifiers.LATITUDE_RANGE, {"value": "105.8542"}),
        (v.stinfo_latitude, "21°01′N", identifiers.LATITUDE_FORMAT, {}),
        (v.stinfo_longitude, -181, identifiers.LONGITUDE_RANGE, {"value": "-181"}),
    ],
)
def test_invalid_values_carry_the_rule(validator, value, template, params):
    assert _invalid(validator, value) == _message(template, **params)


def test_year_range():
    high = datetime.date.today().year + 5
    assert v.stinfo_year(str(high)) == str(high)
    assert _invalid(v.stinfo_year, str(high + 1)) == _message(identifiers.YEAR_RANGE, low=1900, high=high)
    assert _invalid(v.stinfo_year, "19") == _message(identifiers.YEAR_FORMAT)


SCHEMING = ("stinfo_vocabulary", "stinfo_period", "stinfo_personal_id_protect", "stinfo_keep_stored",
            "stinfo_owner_org", "stinfo_package_name")


@pytest.mark.parametrize("validator", [getattr(v, name) for name in v.__all__ if name not in SCHEMING])
@pytest.mark.parametrize("value", [toolkit.missing, None, ""])
def test_empty_values_are_left_alone(validator, value):
    assert validator(value) is value


def test_lists_accept_json_and_drop_duplicates():
    assert v.stinfo_ipc('["A61K 31/00", "a61k 31/00"]') == ["A61K 31/00"]
    assert v.stinfo_ics(["13.020", "", "13.020"]) == ["13.020"]
    assert v.stinfo_ics("13.020; 91.140") == ["13.020", "91.140"]
    assert _invalid(v.stinfo_ics, {"13": "x"}) == toolkit._(v.LIST_EXPECTED)
    assert v.stinfo_hs('["8703.23", "870323", "8704"]') == ["870323", "8704"]


@pytest.mark.parametrize(
    ("template", "english", "vietnamese"),
    [
        (identifiers.LATITUDE_RANGE, "Latitude", "Vĩ độ"),
        (identifiers.LONGITUDE_FORMAT, "Longitude", "Kinh độ"),
        (identifiers.GAZETTE_NUMBER_FORMAT, "Industrial property gazette", "Công báo Sở hữu công nghiệp"),
        (identifiers.TBT_SYMBOL_FORMAT, "WTO document symbol", "Ký hiệu thông báo WTO"),
        (identifiers.HS_CODE_CHAPTER, "HS code", "Mã HS"),
    ],
)
def test_messages_name_the_field_in_both_languages(template, english, vietnamese):
    catalog = read_po((ROOT / "i18n" / "vi" / "LC_MESSAGES" / "ckanext-stinfo.po").open("rb"))
    assert english in template
    assert vietnamese in catalog.get(template).string


def _vocabulary_validator(name):
    field = {"field_name": "f", "vocabulary": name}
    return v.stinfo_vocabulary(field, {})


@pytest.mark.parametrize("value", ["01", ["01", "79"], json.dumps(["01", "79"])])
def test_vocabulary_accepts_codes(value):
    assert _vocabulary_validator("provinces")(value) == value


@pytest.mark.parametrize(("value", "code"), [("02", "02"), (["01", "02"], "02"), ('["79", "99"]', "99")])
def test_vocabulary_names_the_list(value, code):
    message = _invalid(_vocabulary_validator("provinces"), value)
    assert message == _message(v.NOT_IN_VOCABULARY, code=code, name="provinces")


def test_vocabulary_leaves_empty_values_alone():
    validator = _vocabulary_validator("task_levels")
    assert validator("") == "" and validator(toolkit.missing) is toolkit.missing


def test_vocabulary_field_must_name_a_known_list():
    with pytest.raises(VocabularyError, match="names no vocabulary"):
        v.stinfo_vocabulary({"field_name": "f"}, {})
    with pytest.raises(VocabularyError, match="No vocabulary named 'nope'"):
        v.stinfo_vocabulary({"field_name": "f", "vocabulary": "nope"}, {})


def _period_schema():
    field = {"field_name": "period_end", "period_start": "period_start"}
    return {
        "period_start": [v.stinfo_partial_date],
        "period_end": [v.stinfo_partial_date, v.stinfo_period(field, {})],
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [("2019-01-01", "2019-12-31"), ("2019-05", "2019"), ("5/2019", "31/5/2019"), ("", "2019"), ("2020", "")],
)
def test_period_in_order(start, end):
    data, errors = validate({"period_start": start, "period_end": end}, _period_schema())
    assert errors == {}
    assert data["period_start"] == (identifiers.normalize_partial_date(start) if start else start)


def test_period_reversed():
    data, errors = validate({"period_start": "2020-03-01", "period_end": "2020-02"}, _period_schema())
    assert errors == {"period_end": [_message(identifiers.PERIOD_ORDER, start="2020-03-01", end="2020-02")]}


def test_period_leaves_format_errors_to_the_fields():
    _, errors = validate({"period_start": "2020-13", "period_end": "2019"}, _period_schema())
    assert list(errors) == ["period_start"]
    _, errors = validate({"period_start": "2020", "period_end": "2019-13"}, _period_schema())
    assert errors == {"period_end": [_message(identifiers.DATE_INVALID, value="2019-13")]}


def test_period_on_resource_fields():
    schema = {"resources": _period_schema()}
    data = {
        "resources": [
            {"period_start": "2019", "period_end": "2020"},
            {"period_start": "2021", "period_end": "2020"},
        ]
    }
    _, errors = validate(data, schema)
    reversed_period = _message(identifiers.PERIOD_ORDER, start="2021", end="2020")
    assert errors == {"resources": [{}, {"period_end": [reversed_period]}]}


def test_period_field_must_name_its_start():
    with pytest.raises(ValueError, match="period_start"):
        v.stinfo_period({"field_name": "period_end"}, {})


def test_scheming_validators_are_marked():
    assert v.stinfo_vocabulary.is_a_scheming_validator
    assert v.stinfo_period.is_a_scheming_validator


def test_only_validators_are_exported():
    assert all(name.startswith("stinfo_") for name in v.__all__)
    public = {name for name, member in inspect.getmembers(v, inspect.isfunction)
              if member.__module__ == v.__name__ and not name.startswith("_")}
    assert public == set(v.__all__)
    assert "stinfo_vocabulary_choices" in helpers.__all__


def test_vocabulary_choices_outside_a_request():
    choices = helpers.stinfo_vocabulary_choices({"vocabulary": "task_levels"})
    assert choices[0] == {"value": "national", "label": "Cấp quốc gia"}


@pytest.mark.usefixtures("clean_db")
def test_owner_org_known_to_a_batch_is_what_ckan_gives_without_its_queries(monkeypatch):
    """A harvest batch's dataset, new or updated in the organisation it already has, gets CKAN's
    own answer without a user or organisation query; a move to another organisation is left to
    CKAN's validator."""
    from ckan import model
    from ckan.tests import factories

    org, other = factories.Organization(), factories.Organization()
    pkg = model.Package.get(factories.Dataset(owner_org=org["id"])["id"])
    user = factories.Sysadmin()["name"]
    ckan_validator = toolkit.get_validator("owner_org_validator")

    def owner(validator, value, package, known):
        data, errors = {("owner_org",): value}, {("owner_org",): []}
        context = {"user": user, "ignore_auth": True, "package": package, "model": model}
        if known is not None:
            context["stinfo_organization_ids"] = known
        validator(("owner_org",), data, errors, context)
        return data[("owner_org",)], errors[("owner_org",)]

    lookups = []
    get_user, get_group = model.User.get, model.Group.get
    monkeypatch.setattr(model.User, "get", lambda ref: lookups.append(ref) or get_user(ref))
    monkeypatch.setattr(model.Group, "get", lambda ref: lookups.append(ref) or get_group(ref))
    known = {org["id"], other["id"]}
    for package in (None, pkg):
        assert owner(v.stinfo_owner_org, org["id"], package, known) == (org["id"], [])
        assert lookups == []
        assert owner(ckan_validator, org["id"], package, None) == (org["id"], [])
        lookups.clear()
    assert owner(v.stinfo_owner_org, other["id"], pkg, known) == owner(ckan_validator, other["id"], pkg, None)
    assert lookups, "a move to another organisation goes through CKAN's checks"
