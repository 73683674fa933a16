"""Publication harvester against stand-in OJS 3 and DSpace 7 repositories over OAI-PMH 2.0:
mapping, resumption tokens, incremental runs, deletions, broken and hostile responses, each run
through the real gather / fetch / import stages; and the safe XML parser on its own."""
import datetime
import json
import re
import time
import unicodedata

import pytest
import requests
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.stinfo.harvesters import xml as safe_xml
from ckanext.stinfo.harvesters.standins import oai_pmh as repository
from lxml import etree

from tests.conftest import ROOT

CONFIG = json.loads((ROOT / "config" / "harvest" / "publications.json").read_text(encoding="utf-8"))
OJS = [r["id"] for r in repository.ORIGINAL["ojs"]["records"]]
DSPACE = [r["id"] for r in repository.ORIGINAL["dspace"]["records"] if not r.get("deleted")]
DSPACE_CONFIG = {"default_field_of_science": "1.5", "source_system": "Kho số ĐHQGHN (DSpace)"}


@pytest.fixture(autouse=True)
def _fresh_repositories():
    repository.reset()
    yield
    repository.reset()


def _url(standins, flavour="ojs", scenario="ok"):
    return f"{standins}/oai/{flavour}/{scenario}"


def _datasets():
    result = call_action("package_search", q="dataset_type:publication", rows=100, include_private=True)
    return {d["source_record_id"]: d for d in result["results"]}


def _gather_errors(report):
    return [e["message"] for e in report["gather_errors"]]


def _object_errors(report):
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


def _list_requests():
    return [r for r in repository.REQUESTS if r.get("verb") == "ListRecords"]


def _record(flavour, identifier):
    return next(r for r in repository.RECORDS[flavour] if r["id"] == identifier)


# ---------------------------------------------------------------- mapping and paging


def test_first_run_creates_every_article_with_mapping_and_provenance(harvest, standins):
    results, report = harvest("stinfo_publications", _url(standins), CONFIG)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    assert not _gather_errors(report)
    datasets = _datasets()
    assert set(datasets) == set(OJS)

    article = datasets["oai:vjst.vn:article/1234"]
    assert article["title"] == ("Nghiên cứu tổng hợp vật liệu nano TiO2 pha tạp nitơ ứng dụng xử lý chất màu hữu cơ "
                                "trong nước thải dệt nhuộm")
    assert article["title_en"].startswith("Synthesis of nitrogen-doped TiO2 nanomaterials")
    assert article["authors"] == ["Nguyễn, Thị Hương", "Trần, Văn Đức", "Lê, Quang Huy"]
    assert article["publication_kind"] == "journal_article"
    assert article["venue"] == "Tạp chí Khoa học và Công nghệ Việt Nam"
    assert article["volume_issue"] == "Tập 64 Số 3"
    assert article["pages"] == "1-6"
    assert article["publication_year"] == "2022"
    assert article["doi"] == "10.31276/vjst.64(3).01-06"
    assert article["issn"] == "1859-4794"
    assert article["field_of_science"] == "1.4"
    assert article["language"] == ["vi"]
    assert article["notes"].startswith("Vật liệu nano TiO2 pha tạp nitơ được tổng hợp")
    assert "<p>" not in article["notes"] and "\n\n" in article["notes"]
    assert article["notes_en"].startswith("Nitrogen-doped TiO2 nanoparticles")
    assert article["license_id"] == "cc-by"
    assert {"xúc tác quang", "photocatalysis", "Hóa học"} <= {t["name"] for t in article["tags"]}
    landing = "https://vjst.vn/index.php/vjst/article/view/1234"
    assert article["url"] == landing
    assert [(r["url"], r["format"]) for r in article["resources"]] == [
        (landing, "HTML"), (f"{landing}/987", "PDF")]

    assert article["source_system"] == CONFIG["source_system"]
    assert article["source_url"] == (f"{_url(standins)}?verb=GetRecord&metadataPrefix=oai_dc"
                                     "&identifier=oai%3Avjst.vn%3Aarticle%2F1234")
    assert "<identifier>oai:vjst.vn:article/1234</identifier>" in requests.get(article["source_url"], timeout=10).text
    assert len(article["content_hash"]) == 64 and article["harvested_at"]
    assert article["name"].startswith("nghien-cuu-tong-hop-vat-lieu-nano-tio2")

    english = datasets["oai:vjst.vn:article/1362"]
    assert english["title"].startswith("Magnetic properties of La0.7Sr0.3MnO3")
    assert "title_en" not in english or not english["title_en"]
    assert english["language"] == ["en"]
    assert english["field_of_science"] == "1.3", "the English name of the field is recognised"
    assert datasets["oai:vjst.vn:article/1347"]["field_of_science"] == "2.10", "a keyword that names a field"
    assert datasets["oai:vjst.vn:article/1315"]["field_of_science"] == "4.1", "the source's subject table"
    assert datasets["oai:vjst.vn:article/1388"]["field_of_science"] == "1", "the source's default"
    assert not datasets["oai:vjst.vn:article/1302"].get("license_id"), "CC BY-NC-SA has no open licence id"


def test_resumption_tokens_are_followed_to_the_last_page(harvest, standins):
    results, report = harvest("stinfo_publications", _url(standins, "dspace"), DSPACE_CONFIG)
    pages = _list_requests()
    assert len(pages) == 3, "8 headers, 3 per page"
    assert pages[0]["metadataPrefix"] == "oai_dc" and "resumptionToken" not in pages[0]
    assert all(set(p) == {"flavour", "scenario", "verb", "resumptionToken"} for p in pages[1:])
    assert set(_datasets()) == set(DSPACE), "the record deleted before the first run is not created"
    assert not _gather_errors(report)

    harvest("stinfo_publications", _url(standins), CONFIG)
    assert len([p for p in _list_requests() if p["flavour"] == "ojs"]) == 4, "10 records, 3 per page"


def test_dspace_dublin_core_is_mapped(harvest, standins):
    thesis_title = "Nghiên cứu đa dạng di truyền các loài lan Kim tuyến (Anoectochilus spp.) ở Việt Nam"
    _record("dspace", "oai:repository.vnu.edu.vn:VNU_123/45003")["title"] = [["vi", unicodedata.normalize(
        "NFD", thesis_title)]]
    harvest("stinfo_publications", _url(standins, "dspace"), DSPACE_CONFIG)
    datasets = _datasets()
    article = datasets["oai:repository.vnu.edu.vn:VNU_123/45001"]
    assert article["venue"] == "VNU Journal of Science: Natural Sciences and Technology"
    assert article["volume_issue"] == "Vol. 38, No. 2"
    assert article["publication_year"] == "2022", "the issued date, not the accession date"
    assert article["doi"] == "10.25073/2588-1140/vnunst.5301"
    assert article["issn"] == "2588-1140"
    assert article["url"] == "https://repository.vnu.edu.vn/handle/VNU_123/45001"
    assert article["source_system"] == "Kho số ĐHQGHN (DSpace)"
    thesis = datasets["oai:repository.vnu.edu.vn:VNU_123/45003"]
    assert thesis["title"] == thesis_title, "decomposed diacritics are stored composed (NFC)"
    assert thesis["publication_kind"] == "thesis"
    assert thesis["venue"] == "Trường Đại học Khoa học Tự nhiên, Đại học Quốc gia Hà Nội", "the publisher"
    assert thesis["field_of_science"] == "1.6"
    assert datasets["oai:repository.vnu.edu.vn:VNU_123/45002"]["field_of_science"] == "1.2"
    assert datasets["oai:repository.vnu.edu.vn:VNU_123/45004"]["field_of_science"] == "1.5"
    assert datasets["oai:repository.vnu.edu.vn:VNU_123/45005"]["publication_kind"] == "conference_paper"
    assert datasets["oai:repository.vnu.edu.vn:VNU_123/45006"]["publication_kind"] == "book_chapter"


def test_openaire_is_harvested_when_preferred_and_offered(harvest, standins):
    results, report = harvest("stinfo_publications", _url(standins, "dspace"), {**DSPACE_CONFIG, **CONFIG})
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    assert any(r["verb"] == "ListMetadataFormats" for r in repository.REQUESTS)
    assert _list_requests()[0]["metadataPrefix"] == "oai_openaire"
    datasets = _datasets()
    article = datasets["oai:repository.vnu.edu.vn:VNU_123/45001"]
    assert article["title"].startswith("Tổng hợp và đặc trưng vật liệu khung hữu cơ kim loại MIL-101(Cr)")
    assert article["title_en"].startswith("Synthesis and characterisation of the metal-organic framework")
    assert article["authors"] == ["Đỗ, Thị Thu Hà", "Nguyễn, Văn Nội"]
    assert article["doi"] == "10.25073/2588-1140/vnunst.5301"
    assert article["issn"] == "2588-1140"
    assert article["publication_year"] == "2022"
    assert (article["volume_issue"], article["pages"]) == ("Tập 38, Số 2", "1-9")
    assert article["language"] == ["vi"]
    assert [r["format"] for r in article["resources"]] == ["HTML", "PDF"]
    assert datasets["oai:repository.vnu.edu.vn:VNU_123/45003"]["publication_kind"] == "thesis"
    assert datasets["oai:repository.vnu.edu.vn:VNU_123/45006"]["publication_kind"] == "book_chapter"

    repository.REQUESTS.clear()
    harvest("stinfo_publications", _url(standins), CONFIG)
    assert _list_requests()[0]["metadataPrefix"] == "oai_dc", "OJS offers no OpenAIRE format"


def test_cerif_is_harvested_when_preferred_and_offered(harvest, standins):
    config = {**DSPACE_CONFIG, "prefer": ["oai_cerif_openaire", "oai_openaire", "oai_dc"]}
    results, report = harvest("stinfo_publications", _url(standins, "dspace"), config)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    assert _list_requests()[0]["metadataPrefix"] == "oai_cerif_openaire"
    datasets = _datasets()
    assert set(datasets) == set(DSPACE)
    article = datasets["oai:repository.vnu.edu.vn:VNU_123/45007"]
    assert article["title"] == "Đánh giá năng lực số của sinh viên đại học tại Việt Nam"
    assert article["title_en"] == "Assessing the digital competence of university students in Vietnam"
    assert article["authors"] == ["Tôn, Quang Cường", "Nguyễn, Thị Kim Dung"]
    assert (article["doi"], article["issn"]) == ("10.25073/2588-1159/vnuer.4651", "2588-1159")
    assert (article["venue"], article["volume_issue"], article["pages"]) == (
        "VNU Journal of Science: Education Research", "Tập 40, Số 1", "1-12")
    assert article["publication_year"] == "2024"
    assert article["field_of_science"] == "5.3"
    assert article["url"] == "https://repository.vnu.edu.vn/handle/VNU_123/45007"
    assert datasets["oai:repository.vnu.edu.vn:VNU_123/45005"]["publication_kind"] == "conference_paper"


# ---------------------------------------------------------------- incremental runs and deletions


def test_incremental_run_sends_from_and_updates_only_changed_records(harvest, standins):
    harvest("stinfo_publications", _url(standins), CONFIG)
    before = {k: d["metadata_modified"] for k, d in _datasets().items()}

    changed = _record("ojs", "oai:vjst.vn:article/1315")
    changed["title"]["vi-VN"] += " (bản sửa)"
    changed["datestamp"] = "2099-01-01T00:00:00Z"
    repository.REQUESTS.clear()
    results, report = harvest("stinfo_publications", _url(standins), CONFIG)

    assert [r["verb"] for r in repository.REQUESTS] == ["Identify", "ListMetadataFormats", "ListRecords"]
    since = _list_requests()[0]["from"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", since), since
    assert since < time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    assert {guid: r["report_status"] for guid, r in results.items()} == {"oai:vjst.vn:article/1315": "updated"}
    after = _datasets()
    assert after["oai:vjst.vn:article/1315"]["title"].endswith("(bản sửa)")
    assert all(after[k]["metadata_modified"] == before[k] for k in before if k != "oai:vjst.vn:article/1315")


def test_from_is_written_at_the_granularity_the_repository_declares(harvest, standins):
    harvest("stinfo_publications", _url(standins, "ojs", "daily"), CONFIG)
    _, report = harvest("stinfo_publications", _url(standins, "ojs", "daily"), CONFIG)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", _list_requests()[-1]["from"])
    assert not _gather_errors(report), "a time in 'from' would be badArgument for a day-granularity repository"


def test_record_reported_deleted_is_withdrawn(harvest, standins):
    harvest("stinfo_publications", _url(standins, "dspace"), DSPACE_CONFIG)
    gone = "oai:repository.vnu.edu.vn:VNU_123/45004"
    repository.DELETED["dspace"].add(gone)
    _record("dspace", gone)["datestamp"] = "2099-01-01T00:00:00Z"
    results, _ = harvest("stinfo_publications", _url(standins, "dspace"), DSPACE_CONFIG)
    assert {guid: r["report_status"] for guid, r in results.items()} == {gone: "deleted"}
    assert set(_datasets()) == set(DSPACE) - {gone}


def test_no_records_match_leaves_everything_as_is(harvest, standins):
    harvest("stinfo_publications", _url(standins), CONFIG)
    before = {k: d["metadata_modified"] for k, d in _datasets().items()}

    results, report = harvest("stinfo_publications", _url(standins), CONFIG)
    assert results == {} and not _gather_errors(report)
    assert "from" in _list_requests()[-1], "an incremental run with nothing changed gets noRecordsMatch"

    repository.SCENARIO = "empty"
    results, report = harvest("stinfo_publications", _url(standins), {**CONFIG, "full_harvest": True})
    assert results == {}
    assert any("nothing is withdrawn" in m for m in _gather_errors(report))
    assert {k: d["metadata_modified"] for k, d in _datasets().items()} == before


def test_records_missing_from_a_complete_full_listing_are_withdrawn(harvest, standins):
    harvest("stinfo_publications", _url(standins), CONFIG)
    del repository.RECORDS["ojs"][-1]
    harvest("stinfo_publications", _url(standins), {**CONFIG, "full_harvest": True})
    assert set(_datasets()) == set(OJS[:-1])


def _age_last_runs(days):
    """Move every finished harvest job ``days`` back in time (as if the last run was then)."""
    from ckan import model
    from ckanext.harvest.model import HarvestJob

    for job in model.Session.query(HarvestJob):
        job.gather_started -= datetime.timedelta(days=days)
    model.Session.commit()


def test_repository_without_persistent_deletions_gets_a_full_listing_every_week(harvest, standins):
    url = _url(standins, "ojs", "transient")
    harvest("stinfo_publications", url, CONFIG)
    gone = OJS[-1]
    del repository.RECORDS["ojs"][-1]  # deleted without a trace, as "transient" allows

    harvest("stinfo_publications", url, CONFIG)
    assert "from" in _list_requests()[-1], "the week's full listing was the first run"
    assert gone in _datasets()

    _age_last_runs(7)
    repository.REQUESTS.clear()
    results, report = harvest("stinfo_publications", url, CONFIG)
    assert "from" not in _list_requests()[-1]
    assert [r["verb"] for r in repository.REQUESTS].count("Identify") == 1
    assert {guid: r["report_status"] for guid, r in results.items() if r["report_status"] == "deleted"} == \
        {gone: "deleted"}, report
    assert set(_datasets()) == set(OJS[:-1])

    harvest("stinfo_publications", url, CONFIG)
    assert "from" in _list_requests()[-1], "one full listing per period"


def test_repository_keeping_its_deletions_stays_incremental_unless_configured(harvest, standins):
    harvest("stinfo_publications", _url(standins), CONFIG)
    _age_last_runs(30)
    harvest("stinfo_publications", _url(standins), CONFIG)
    assert "from" in _list_requests()[-1], "deletedRecord persistent: deletions come as deleted headers"

    _age_last_runs(2)
    harvest("stinfo_publications", _url(standins), {**CONFIG, "full_harvest_every_days": 1})
    assert "from" not in _list_requests()[-1]


@pytest.mark.parametrize("every", [0, -3, "7", 1.5, True])
def test_full_listing_period_must_be_whole_days(every):
    with pytest.raises(toolkit.ValidationError, match="full_harvest_every_days"):
        call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                    name="kho-oai", title="Kho", url="https://journals.example.vn/oai",
                    source_type="stinfo_publications", owner_org=factories.Organization()["id"],
                    config=json.dumps({**CONFIG, "full_harvest_every_days": every}))


# ---------------------------------------------------------------- broken and hostile repositories


@pytest.mark.parametrize(("scenario", "said"), [
    ("error-page-2", "HTTP 500"),
    ("malformed-page-2", "not well-formed XML"),
    ("bad-token-page-2", "badResumptionToken"),
    ("latin1-page-2", "not valid UTF-8"),
    ("same-token", "same resumption token twice"),
])
def test_failure_mid_listing_imports_what_arrived_and_withdraws_nothing(harvest, standins, scenario, said):
    harvest("stinfo_publications", _url(standins), CONFIG)
    published = set(_datasets())

    first_page = _record("ojs", OJS[0])
    first_page["title"]["vi-VN"] = "Nhan đề mới trên trang đầu"
    del repository.RECORDS["ojs"][-1]  # a complete full listing would withdraw it
    repository.SCENARIO = scenario
    results, report = harvest("stinfo_publications", _url(standins), {**CONFIG, "full_harvest": True})

    errors = _gather_errors(report)
    assert any(said in m and "no record is withdrawn" in m for m in errors), errors
    assert "deleted" not in {r["report_status"] for r in results.values()}
    after = _datasets()
    assert set(after) == published
    assert after[OJS[0]]["title"] == "Nhan đề mới trên trang đầu", "page 1 arrived and is imported"


@pytest.mark.parametrize("scenario", ["xxe", "billion-laughs"])
def test_entity_attacks_are_refused_with_a_clear_error(harvest, standins, scenario):
    harvest("stinfo_publications", _url(standins), CONFIG)
    published = set(_datasets())

    repository.SCENARIO = scenario
    started = time.monotonic()
    results, report = harvest("stinfo_publications", _url(standins), {**CONFIG, "full_harvest": True})
    assert time.monotonic() - started < 30

    errors = _gather_errors(report)
    assert any("document type" in m and "XXE" in m for m in errors), errors
    assert results == {}
    assert set(_datasets()) == published, "nothing withdrawn, nothing from the hostile page created"
    stored = json.dumps([errors, _object_errors(report), list(_datasets().values())], ensure_ascii=False)
    assert "root:" not in stored and "lollol" not in stored


def test_format_the_repository_cannot_disseminate_is_reported(harvest, standins):
    results, report = harvest("stinfo_publications", _url(standins), {"metadataPrefix": "oai_openaire"})
    errors = _gather_errors(report)
    assert any("cannotDisseminateFormat" in m and "oai_openaire" in m and "it offers oai_dc" in m
               for m in errors), errors
    assert results == {} and _datasets() == {}

    _, report = harvest("stinfo_publications", _url(standins), {"prefer": ["oai_openaire"]})
    assert any("offers none of the formats oai_openaire" in m for m in _gather_errors(report))


def test_invalid_doi_or_issn_is_a_per_record_error_naming_the_field(harvest, standins):
    _record("ojs", "oai:vjst.vn:article/1241")["doi"] = "10.312/VJST.64(3).07-13"
    _record("ojs", "oai:vjst.vn:article/1256")["issn"] = ["1859-4795"]
    results, report = harvest("stinfo_publications", _url(standins), CONFIG)

    errors = _object_errors(report)
    assert any("doi" in m and "10.NNNN/suffix" in m for m in errors["oai:vjst.vn:article/1241"]), errors
    assert any("issn" in m and "expected 4" in m for m in errors["oai:vjst.vn:article/1256"]), errors
    assert set(_datasets()) == set(OJS) - {"oai:vjst.vn:article/1241", "oai:vjst.vn:article/1256"}
    assert not _gather_errors(report)


def test_record_without_a_field_of_science_names_the_field(harvest, standins):
    config = {k: v for k, v in CONFIG.items() if k != "default_field_of_science"}
    _, report = harvest("stinfo_publications", _url(standins), config)
    assert any("field_of_science" in m for m in _object_errors(report)["oai:vjst.vn:article/1388"])
    assert len(_datasets()) == len(OJS) - 1


def test_set_is_sent_and_an_unknown_set_is_an_error(harvest, standins):
    harvest("stinfo_publications", _url(standins), {**CONFIG, "set": "vjst:YD"})
    assert _list_requests()[-1]["set"] == "vjst:YD"
    assert set(_datasets()) == {"oai:vjst.vn:article/1302"}

    _, report = harvest("stinfo_publications", _url(standins, "dspace"), {**DSPACE_CONFIG, "set": "col_VNU_123_99"})
    assert any("no set 'col_VNU_123_99'" in m for m in _gather_errors(report)), report


def test_invalid_configuration_is_refused(standins):
    from ckan.plugins import toolkit
    from ckan.tests import factories

    with pytest.raises(toolkit.ValidationError, match="metadataPrefix"):
        call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                    name="oai-hong", title="Hỏng", url=_url(standins), source_type="stinfo_publications",
                    owner_org=factories.Organization()["id"],
                    config=json.dumps({"metadataPrefix": "marcxml", "default_field_of_science": "9.9"}))


# ---------------------------------------------------------------- the safe XML parser


def _xxe(path):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r [<!ENTITY leak SYSTEM "file://{path}">]>\n'
            "<r>&leak;</r>").encode()


def test_safe_parser_reads_utf8_with_a_stylesheet_and_comments():
    root = safe_xml.parse('\ufeff<?xml version="1.0" encoding="utf-8"?>\n<?xml-stylesheet href="s.xsl"?>\n'
                          "<!-- OAI -->\n<r><t>Tạp chí Khoa học</t></r>".encode())
    assert root.findtext("t") == "Tạp chí Khoa học"


def test_safe_parser_refuses_external_entities_without_reading_them(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MẬT-0123456789", encoding="utf-8")
    with pytest.raises(safe_xml.UnsafeXmlError, match="document type") as refused:
        safe_xml.parse(_xxe(secret))
    assert "MẬT" not in str(refused.value)

    # Behind the check, the parser itself neither reads the file nor expands the entity.
    root = etree.fromstring(_xxe(secret), safe_xml._parser())
    assert "MẬT" not in etree.tostring(root, encoding="unicode")


def test_safe_parser_refuses_entity_expansion_at_once():
    laughs = ["<!ENTITY l0 'lol'>"] + [f"<!ENTITY l{i} '{f'&l{i - 1};' * 10}'>" for i in range(1, 10)]
    document = f"<?xml version='1.0'?><!-- x --><!DOCTYPE r [{''.join(laughs)}]><r>&l9;</r>".encode()
    started = time.monotonic()
    with pytest.raises(safe_xml.UnsafeXmlError):
        safe_xml.parse(document)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(("document", "said"), [
    ("<r>Việt Nam</r>".encode("cp1258", errors="replace") + b"\xff", "not valid UTF-8"),
    ('<?xml version="1.0" encoding="UTF-16"?><r/>'.encode("utf-16"), "not valid UTF-8"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?><r>abc</r>', "only UTF-8"),
    (b"<r><t>open</r>", "not well-formed"),
    (b"   ", "empty"),
])
def test_safe_parser_errors_say_what_is_wrong(document, said):
    with pytest.raises(safe_xml.XmlError, match=said):
        safe_xml.parse(document)


# ---------------------------------------------------------------- how citations are read


@pytest.mark.parametrize(("value", "issn"), [
    ("1859-4794", "1859-4794"),
    ("ISSN: 1859-4794", "1859-4794"),
    ("e-ISSN 2615-9929", "2615-9929"),
    ("ISSN 0866-708X (Print)", "0866-708X"),
    ("pISSN 18594794", "18594794"),
    ("18594794", None),
    ("Tạp chí Khoa học và Công nghệ Việt Nam", None),
])
def test_issn_is_recognised_in_sources_and_identifiers(value, issn):
    from ckanext.stinfo.harvesters.oai_pmh import _issn

    assert _issn(value) == issn


@pytest.mark.parametrize(("source", "parts"), [
    ("Tạp chí Khoa học và Công nghệ Việt Nam; Tập 64 Số 3 (2022); 1-6",
     ("Tạp chí Khoa học và Công nghệ Việt Nam", "Tập 64 Số 3", "1-6")),
    ("Vietnam Journal of Science and Technology; Vol. 64 No. 3 (2022); tr. 7 – 13",
     ("Vietnam Journal of Science and Technology", "Vol. 64 No. 3", "7-13")),
    ("VNU Journal of Science: Natural Sciences and Technology, Vol. 38, No. 2 (2022)",
     ("VNU Journal of Science: Natural Sciences and Technology", "Vol. 38, No. 2", "")),
    ("Kỷ yếu Hội nghị Khoa học Quốc gia lần thứ VI", ("Kỷ yếu Hội nghị Khoa học Quốc gia lần thứ VI", "", "")),
])
def test_citation_in_dc_source_is_split(source, parts):
    from ckanext.stinfo.harvesters.oai_pmh import _split_source

    assert _split_source(source) == parts
