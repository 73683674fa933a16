"""The S&T record types: scheming schemas and presets, the organisation schema, the demo catalogue."""
import json
import uuid
from pathlib import Path

import ckanext.scheming
import pytest
import yaml
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers
from ckanext.stinfo import demo
from ckanext.stinfo.helpers import stinfo_vocabulary_choices
from ckanext.stinfo.vocabularies import vocabulary
from markupsafe import escape

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
PROVENANCE = ["source_system", "source_url", "source_record_id", "harvested_at", "content_hash"]
RELATIONS = ["related_organizations", "related_researchers", "related_publications", "related_patents",
             "related_tasks", "related_standards"]
COMMON = {"title", "title_en", "name", "notes_en", "owner_org", "tag_string", "license_id",
          "field_of_science", "fields_of_science", "province", "frequency", "theme", "management_field",
          "tax_code", "orcid", "ror", "doi", "issn", "isbn", "personal_id", "latitude", "longitude",
          *PROVENANCE, *RELATIONS}

# A valid record of each type, beside title, name and owner_org: exactly the required fields.
REQUIRED = {
    "st_task": {"task_code": "ĐTĐL.CN-21/22", "task_level": "national", "task_form": "research_topic",
                "lead_organization": "vien-han-lam-khcn-viet-nam", "field_of_science": "2.10",
                "task_status": "in_progress"},
    "publication": {"publication_kind": "journal_article", "authors": ["Trần Thị Minh Nguyệt"],
                    "venue": "Vietnam Journal of Science and Technology", "publication_year": "2023",
                    "field_of_science": "2.10"},
    "st_organization": {"organization_kind": "institute", "province": "01"},
    "researcher": {"fields_of_science": ["1.3"]},
    "supported_enterprise": {"tax_code": "0102345677", "support_kind": "high_tech_enterprise", "province": "79"},
    "patent": {"ip_kind": "invention", "application_number": "1-2023-04512",
               "applicants": ["Trường Đại học Khoa học Tự nhiên"], "patent_status": "filed"},
    "ip_representative": {"representative_kind": "agent", "registration_number": "215",
                          "representative_status": "active"},
    "standard_tcvn": {"standard_number": "TCVN 12850:2019", "year": "2019", "standard_status": "in_force"},
    "regulation_qcvn": {"regulation_number": "QCVN 4:2009/BKHCN", "issuing_ministry": "Bộ Khoa học và Công nghệ",
                        "year": "2009", "standard_status": "in_force"},
    "tbt_notification": {"notification_symbol": "G/TBT/N/VNM/250", "notifying_member": "Việt Nam",
                         "notification_date": "2024-03-18"},
    "radiation_monitoring": {"station_code": "HN-01", "station_name": "Trạm Hà Nội", "province": "01",
                             "measured_quantity": "Suất liều gamma môi trường", "unit": "nSv/h"},
    "statistics": {"indicator": "Số tổ chức khoa học và công nghệ", "unit": "Tổ chức",
                   "temporal_start": "2024", "frequency": "ANNUAL"},
    "dataset": {},
}
TYPES = list(REQUIRED)

INVALID = [
    ("st_task", "field_of_science", "9.9"),
    ("st_task", "task_level", "village"),
    ("st_task", "result_registration_number", "566/KQNC"),
    ("st_task", "budget", "-5"),
    ("publication", "doi", "11.1234/abc"),
    ("publication", "issn", "2525-2519"),
    ("publication", "isbn", "9786049134273"),
    ("publication", "publication_year", "23"),
    ("st_organization", "tax_code", "0101110458"),
    ("st_organization", "ror", "https://ror.org/02h7rv394"),
    ("researcher", "orcid", "0000-0002-1457-3981"),
    ("researcher", "personal_id", "099123456789"),
    ("researcher", "fields_of_science", ["7.1"]),
    ("supported_enterprise", "tax_code", "0102345670"),
    ("supported_enterprise", "province", "02"),
    ("supported_enterprise", "support_status", "suspended"),
    ("patent", "application_number", "1-2023-00000"),
    ("patent", "ipc_classes", ["Z99Z 1/00"]),
    ("patent", "filing_date", "2023-02-30"),
    ("patent", "gazette_number", "426C"),
    ("patent", "gazette_number", "426"),
    ("patent", "gazette_date", "25/13/2023"),
    ("standard_tcvn", "standard_number", "ISO 9001:2015"),
    ("standard_tcvn", "ics_codes", ["3.120"]),
    ("regulation_qcvn", "regulation_number", "QCVN 4:2009"),
    ("tbt_notification", "comment_deadline", "17/13/2024"),
    ("tbt_notification", "notification_symbol", "G/TBT/VNM/250"),
    ("tbt_notification", "notification_symbol", "G/TBT/N/VNM/250/Add1"),
    ("tbt_notification", "hs_codes", ["8504.4"]),
    ("tbt_notification", "hs_codes", "7701"),
    ("radiation_monitoring", "latitude", "91"),
    ("radiation_monitoring", "latitude", "21°01′N"),
    ("radiation_monitoring", "longitude", "-180.01"),
    ("radiation_monitoring", "longitude", 181),
    ("radiation_monitoring", "frequency", "HOURLY"),
    ("statistics", "temporal_end", "2023"),
    ("dataset", "theme", ["SPACE"]),
    ("dataset", "maintainer_email", "not-an-address"),
]

CANONICAL = [
    ("researcher", "orcid", "https://orcid.org/0000000214573980", "0000-0002-1457-3980"),
    ("st_organization", "ror", "02h7rv395", "https://ror.org/02h7rv395"),
    ("st_organization", "tax_code", " 0101110457 ", "0101110457"),
    ("publication", "doi", "https://doi.org/10.15625/2525-2518/17823", "10.15625/2525-2518/17823"),
    ("publication", "isbn", "978-604-913-427-2", "9786049134272"),
    ("patent", "ipc_classes", "a61k 49/18 (2006.01); B82Y 5/00", ["A61K 49/18", "B82Y 5/00"]),
    ("patent", "filing_date", "20/06/2023", "2023-06-20"),
    ("standard_tcvn", "standard_number", "tcvn 5945-1995", "TCVN 5945:1995"),
    ("st_task", "period_end", "12/2024", "2024-12"),
    ("supported_enterprise", "support_status", "in_progress", "in_progress"),
    ("patent", "gazette_number", "Số 426 tập A", "426A"),
    ("patent", "gazette_date", "25/09/2023", "2023-09-25"),
    ("tbt_notification", "notification_symbol", "g/tbt/n/vnm/250/corr.1", "G/TBT/N/VNM/250/Corr.1"),
    ("tbt_notification", "hs_codes", "8504.40; 8516.79.90", ["850440", "85167990"]),
    ("radiation_monitoring", "latitude", "21,0285", "21.0285"),
    ("radiation_monitoring", "latitude", 8.6458, "8.6458"),
    ("radiation_monitoring", "longitude", "-180", "-180"),
]


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _presets():
    builtin = json.loads((Path(ckanext.scheming.__file__).parent / "presets.json").read_text())
    return {p["preset_name"]: p["values"] for src in (builtin, _load(SCHEMAS / "presets.yaml")) for p in src["presets"]}


PRESETS = _presets()


def _fields(schema_name, group="dataset_fields"):
    """The fields of a schema with their presets expanded, as ckanext-scheming does."""
    fields = _load(SCHEMAS / f"{schema_name}.yaml")[group]
    return [{**PRESETS[f["preset"]], **f} if "preset" in f else f for f in fields]


def _all_fields(schema_name):
    if schema_name == "organization":
        return _fields("organization", "fields")
    return _fields(schema_name) + _fields(schema_name, "resource_fields")


def _by_name(schema_name):
    return {f["field_name"]: f for f in _fields(schema_name)}


def _bilingual(text):
    return isinstance(text, dict) and set(text) == {"vi", "en"} and all(
        isinstance(value, str) and value.strip() for value in text.values())


def _create(dataset_type, org, user, **values):
    record = {"type": dataset_type, "name": f"{dataset_type.replace('_', '-')}-{uuid.uuid4().hex[:8]}",
              "title": "Bản ghi thử nghiệm", "owner_org": org, **REQUIRED[dataset_type], **values}
    return helpers.call_action("package_create", context={"user": user}, **record)


def _errors(dataset_type, org, user, **values):
    with pytest.raises(toolkit.ValidationError) as caught:
        _create(dataset_type, org, user, **values)
    return caught.value.error_dict


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()["name"]


@pytest.fixture
def org():
    return factories.Organization()["id"]


# ------------------------------------------------------------------ the YAML files


def test_configured_types_are_the_schema_files():
    assert sorted(helpers.call_action("scheming_dataset_schema_list")) == sorted(TYPES)
    for dataset_type in TYPES:
        assert _load(SCHEMAS / f"{dataset_type}.yaml")["dataset_type"] == dataset_type


@pytest.mark.parametrize("schema_name", [*TYPES, "organization"])
def test_every_field_is_labelled_in_vietnamese_and_english(schema_name):
    for field in _all_fields(schema_name):
        name = field["field_name"]
        assert _bilingual(field.get("label")), name
        if "help_text" in field:
            assert _bilingual(field["help_text"]), name
        for choice in field.get("choices", []):
            assert _bilingual(choice["label"]), (name, choice["value"])


@pytest.mark.parametrize("schema_name", [*TYPES, "organization"])
def test_list_fields_offer_the_codes_of_their_vocabulary(schema_name):
    listed = [f for f in _all_fields(schema_name) if "vocabulary" in f]
    assert listed
    for field in listed:
        assert field["choices_helper"] == "stinfo_vocabulary_choices"
        assert [c["value"] for c in stinfo_vocabulary_choices(field)] == vocabulary(field["vocabulary"]).codes()


@pytest.mark.parametrize("dataset_type", TYPES)
def test_common_fields_come_from_presets(dataset_type):
    for field in _load(SCHEMAS / f"{dataset_type}.yaml")["dataset_fields"]:
        if field["field_name"] in COMMON:
            assert field.get("preset", "").startswith("stinfo_"), field["field_name"]


@pytest.mark.parametrize("dataset_type", TYPES)
def test_every_type_keeps_provenance_and_relations(dataset_type):
    fields = _by_name(dataset_type)
    for name in PROVENANCE:
        assert fields[name]["form_snippet"] is None
    relations = [name for name in fields if name.startswith("related_")]
    assert relations and set(relations) <= set(RELATIONS)
    assert all(fields[name]["output_validators"] == "scheming_load_json" for name in relations)
    assert [f["field_name"] for f in _fields(dataset_type, "resource_fields")] == [
        "url", "name", "name_en", "description", "format", "license"]


@pytest.mark.parametrize("dataset_type", TYPES)
def test_required_fields_are_the_documented_ones(dataset_type):
    required = {f["field_name"] for f in _fields(dataset_type) if f.get("required")}
    assert required == {"title", "name", "owner_org", *REQUIRED[dataset_type]}


def test_coordinates_use_the_range_checks_in_every_type():
    for dataset_type in TYPES:
        fields = _by_name(dataset_type)
        for name in ("latitude", "longitude"):
            if name in fields:
                assert f"stinfo_{name}" in fields[name]["validators"].split(), (dataset_type, name)


def test_personal_identification_number_is_restricted_and_never_displayed():
    field = _by_name("researcher")["personal_id"]
    assert field["restricted"] is True
    assert field["display_snippet"] is None
    assert "never published" in field["help_text"]["en"]
    assert "không bao giờ được công bố" in field["help_text"]["vi"]


# ------------------------------------------------------------------ the action API


@pytest.mark.usefixtures("clean_db")
class TestActionApi:
    @pytest.mark.parametrize("dataset_type", TYPES)
    def test_type_is_created_with_its_required_fields(self, dataset_type, org, sysadmin):
        created = _create(dataset_type, org, sysadmin)
        shown = helpers.call_action("package_show", id=created["id"])
        assert shown["type"] == dataset_type
        for name, value in REQUIRED[dataset_type].items():
            assert shown[name] == value

    @pytest.mark.parametrize(
        ("dataset_type", "field"),
        [(t, f) for t in TYPES for f in ("title", "owner_org", *REQUIRED[t])],
    )
    def test_missing_required_field_is_refused(self, dataset_type, field, org, sysadmin):
        errors = _errors(dataset_type, org, sysadmin, **{field: ""})
        assert field in errors

    @pytest.mark.parametrize(("dataset_type", "field", "value"), INVALID)
    def test_invalid_value_is_refused(self, dataset_type, field, value, org, sysadmin):
        errors = _errors(dataset_type, org, sysadmin, **{field: value})
        assert list(errors) == [field]

    @pytest.mark.parametrize(("dataset_type", "field", "given", "stored"), CANONICAL)
    def test_value_is_stored_in_canonical_form(self, dataset_type, field, given, stored, org, sysadmin):
        values = {field: given, "period_start": "2022-01"} if field == "period_end" else {field: given}
        created = _create(dataset_type, org, sysadmin, **values)
        assert helpers.call_action("package_show", id=created["id"])[field] == stored

    def test_resource_format_comes_from_its_list(self, org, sysadmin):
        resource = {"url": "https://example.org/data.csv", "name": "Số liệu", "format": "CSV"}
        shown = _create("dataset", org, sysadmin, resources=[resource])
        assert shown["resources"][0]["format"] == "CSV"
        errors = _errors("dataset", org, sysadmin, resources=[{**resource, "format": "EXE"}])
        assert list(errors) == ["resources"] and "format" in errors["resources"][0]

    def test_period_end_before_start_is_refused(self, org, sysadmin):
        errors = _errors("st_task", org, sysadmin, period_start="2024-06", period_end="2024-05-31")
        assert list(errors) == ["period_end"]

    def test_relations_and_provenance_are_stored(self, org, sysadmin):
        values = {
            "related_publications": ["cong-bo-mot", "cong-bo-hai"],
            "related_researchers": "nha-khoa-hoc-mot",
            "source_system": "Nền tảng số quản lý KHCN&ĐMST quốc gia",
            "source_record_id": "NV-2024-0012",
            "harvested_at": "2025-11-20T08:00:00+07:00",
            "content_hash": "sha256:0f1e2d",
        }
        shown = helpers.call_action("package_show", id=_create("st_task", org, sysadmin, **values)["id"])
        assert shown["related_publications"] == ["cong-bo-mot", "cong-bo-hai"]
        assert shown["related_researchers"] == ["nha-khoa-hoc-mot"]
        assert shown["source_record_id"] == "NV-2024-0012"
        assert shown["harvested_at"].startswith("2025-11-20T01:00:00")

    def test_budget_is_a_whole_number_of_dong(self, org, sysadmin):
        shown = _create("st_task", org, sysadmin, budget="4500000000")
        assert str(shown["budget"]) == "4500000000"

    def test_organization_tax_code_is_validated(self, sysadmin):
        with pytest.raises(toolkit.ValidationError) as caught:
            helpers.call_action("organization_create", context={"user": sysadmin},
                                name=f"co-quan-{uuid.uuid4().hex[:8]}", title="Cơ quan", tax_code="0100111233")
        assert list(caught.value.error_dict) == ["tax_code"]
        created = helpers.call_action("organization_create", context={"user": sysadmin},
                                      name=f"co-quan-{uuid.uuid4().hex[:8]}", title="Cơ quan thử nghiệm",
                                      tax_code="0100111232", organization_kind="institute", province="01")
        shown = helpers.call_action("organization_show", id=created["id"])
        assert (shown["tax_code"], shown["organization_kind"], shown["province"]) == ("0100111232", "institute", "01")

    def test_organization_kind_must_come_from_its_list(self, sysadmin):
        with pytest.raises(toolkit.ValidationError) as caught:
            helpers.call_action("organization_create", context={"user": sysadmin},
                                name=f"co-quan-{uuid.uuid4().hex[:8]}", title="Cơ quan", organization_kind="club")
        assert list(caught.value.error_dict) == ["organization_kind"]


# ------------------------------------------------------------------ the demo catalogue


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_demo_catalogue_loads_once_and_then_reports_unchanged(demo_catalogue_path):
    catalogue = _load(demo_catalogue_path)
    total = len(catalogue["organizations"]) + len(catalogue["datasets"])
    assert demo.load(str(demo_catalogue_path)) == {"created": total, "updated": 0, "unchanged": 0}
    assert demo.load(str(demo_catalogue_path)) == {"created": 0, "updated": 0, "unchanged": total}

    datasets = helpers.call_action("package_search", rows=1000, include_private=True)["results"]
    types = [d["type"] for d in datasets]
    assert set(types) == set(TYPES)
    assert types.count("st_task") >= 2 and types.count("publication") >= 2

    names = {d["name"] for d in datasets} | set(helpers.call_action("organization_list"))
    licences = {concept.extra["ckan_id"] for concept in vocabulary("licenses").items}
    for record in datasets:
        assert record["license_id"] in licences, record["name"]
        fields = _by_name(record["type"])
        links = [record.get(f) for f in ("lead_organization", "principal_investigator", "affiliation",
                                         "parent_organization") if record.get(f)]
        links += [name for f in fields if f.startswith("related_") for name in record.get(f, [])]
        assert set(links) <= names, record["name"]
        assert "personal_id" not in record or not record["personal_id"]


# ------------------------------------------------------------------ the web forms


def _assert_labelled_inputs(body, fields, lang="vi"):
    for field in fields:
        if field.get("form_snippet", "") is None:
            continue
        assert str(escape(field["label"][lang])) in body, field["field_name"]
        assert f'name="{field["field_name"]}"' in body, field["field_name"]


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("dataset_type", TYPES)
def test_web_form_of_each_type_renders_labelled_inputs(app, dataset_type, lang):
    user = factories.SysadminWithToken()
    factories.Organization()
    url = toolkit.url_for(f"{dataset_type}.new", locale=lang)
    response = app.get(url, headers={"Authorization": user["token"]})
    assert response.status_code == 200
    _assert_labelled_inputs(response.get_data(as_text=True), _fields(dataset_type), lang)


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize(("lang", "shown"), [
    ("vi", ["Tình trạng hỗ trợ", "Đang thực hiện"]),
    ("en", ["Support status", "In progress"]),
])
def test_record_page_shows_the_support_status_label(app, lang, shown):
    user = factories.Sysadmin()["name"]
    created = _create("supported_enterprise", factories.Organization()["id"], user, support_status="in_progress")
    body = app.get(toolkit.url_for("supported_enterprise.read", id=created["name"], locale=lang)).get_data(as_text=True)
    for text in shown:
        assert str(escape(text)) in body, text


@pytest.mark.usefixtures("clean_db")
def test_record_page_shows_the_gazette_issue_and_coordinates(app):
    org, user = factories.Organization()["id"], factories.Sysadmin()["name"]
    patent = _create("patent", org, user, gazette_number="426A", gazette_date="2023-09-25")
    body = app.get(toolkit.url_for("patent.read", id=patent["name"])).get_data(as_text=True)
    assert "Số Công báo Sở hữu công nghiệp" in body and "426A" in body
    station = _create("radiation_monitoring", org, user, latitude="21.0136", longitude="105.7998")
    body = app.get(toolkit.url_for("radiation_monitoring.read", id=station["name"], locale="en")).get_data(as_text=True)
    assert "Latitude" in body and "21.0136" in body and "105.7998" in body


@pytest.mark.usefixtures("clean_db")
def test_organization_form_renders_labelled_inputs(app):
    user = factories.SysadminWithToken()
    response = app.get(toolkit.url_for("organization.new"), headers={"Authorization": user["token"]})
    assert response.status_code == 200
    fields = [f for f in _fields("organization", "fields") if f["field_name"] != "image_url"]
    _assert_labelled_inputs(response.get_data(as_text=True), fields)


@pytest.mark.usefixtures("clean_db")
def test_name_and_publisher_are_checked_as_ckan_checks_them(sysadmin, org):
    """The presets' ``stinfo_package_name`` and ``stinfo_owner_org`` are CKAN's checks (their
    queries are only spared inside a harvest batch)."""
    taken = _create("publication", org, sysadmin)["name"]
    assert _errors("publication", org, sysadmin, name=taken) == {"name": ["That URL is already in use."]}
    assert _errors("publication", "khong-co-to-chuc", sysadmin) == {"owner_org": ["Organization does not exist"]}
    by_name = _create("publication", model.Group.get(org).name, sysadmin)
    assert by_name["owner_org"] == org
