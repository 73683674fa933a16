"""Personal identification numbers never leave the system, and state secrets never enter it."""
import json

import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action

NUMBER = "001085012345"  # Hà Nội, male born 1985


@pytest.fixture
def researcher():
    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    return call_action(
        "package_create", context={"user": sysadmin["name"]}, type="researcher",
        name="nguyen-van-an", title="Nguyễn Văn An", owner_org=org["id"],
        fields_of_science=["1.3"], personal_id=NUMBER)


def _stored():
    return model.Session.query(model.Package).filter_by(name="nguyen-van-an").one().extras["personal_id"]


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestPersonalIdentificationNumber:
    def test_only_a_keyed_fingerprint_is_stored(self, researcher):
        assert _stored().startswith("hmac-sha256:")
        assert NUMBER not in _stored()

    def test_anonymous_outputs_do_not_carry_it(self, researcher, app):
        shown = call_action("package_show", context={"user": ""}, id=researcher["id"])
        found = call_action("package_search", context={"user": ""}, q="*:*")
        pages = [app.get(f"/dataset/{researcher['name']}").body,
                 app.get(f"/dataset/{researcher['name']}.ttl").body,
                 app.get("/api/3/action/package_search?q=nguyen").body]
        for output in (json.dumps(shown), json.dumps(found), *pages):
            assert NUMBER not in output
            assert "hmac-sha256" not in output
            assert "personal_id" not in output

    def test_the_search_index_does_not_carry_it(self, researcher):
        from ckan.lib.search.common import make_connection

        site = f"site_id:{toolkit.config['ckan.site_id']}"
        docs = make_connection().search(q="*:*", fq=site, fl="*", rows=10)
        assert docs.hits == 1
        assert "hmac-sha256" not in json.dumps(list(docs), default=str)
        assert make_connection().search(q=f'"{NUMBER}"', df="text", fq=site).hits == 0

    def test_sysadmins_see_the_fingerprint_not_the_number(self, researcher):
        shown = call_action("package_show", context={"user": factories.Sysadmin()["name"]},
                            id=researcher["id"], use_cache=False)
        assert shown["personal_id"] == _stored()

    def test_an_update_without_it_keeps_it(self, researcher):
        sysadmin = factories.Sysadmin()["name"]
        editable = call_action("package_show", context={"user": ""}, id=researcher["id"])
        call_action("package_update", context={"user": sysadmin}, **{**editable, "title": "Nguyễn Văn An (cập nhật)"})
        assert _stored().startswith("hmac-sha256:")

    def test_an_invalid_number_is_refused_naming_the_field(self):
        with pytest.raises(toolkit.ValidationError) as error:
            call_action("package_create", context={"user": factories.Sysadmin()["name"]},
                        type="researcher", name="sai-so", title="Sai số", owner_org=factories.Organization()["id"],
                        fields_of_science=["1.3"], personal_id="099123456789")
        assert "personal_id" in error.value.error_dict

    def test_matching_is_for_sysadmins_only(self, researcher):
        matches = call_action("stinfo_personal_id_match", context={"user": factories.Sysadmin()["name"]},
                              personal_id=NUMBER)
        assert matches == ["nguyen-van-an"]
        with pytest.raises(toolkit.NotAuthorized):
            call_action("stinfo_personal_id_match", context={"user": factories.User()["name"],
                                                             "ignore_auth": False}, personal_id=NUMBER)


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.parametrize("marker", [{"do_mat": "Mật"}, {"state_secret": True}, {"classification": "Tối mật"}])
def test_state_secrets_are_refused_through_the_api(marker):
    with pytest.raises(toolkit.ValidationError) as error:
        call_action("package_create", context={"user": factories.Sysadmin()["name"]},
                    name="bi-mat", title="Hồ sơ mật", owner_org=factories.Organization()["id"], **marker)
    assert "state_secret" in error.value.error_dict
    assert model.Package.by_name("bi-mat") is None
