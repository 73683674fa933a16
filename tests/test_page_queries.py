"""Pages cost the same database statements whatever the number of records they list: no query
per search result, per facet value or per related record."""
import contextlib

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from bench import harvest_import

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@contextlib.contextmanager
def _counted():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:200])

    engine = model.meta.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _get(app, url):
    with _counted() as statements:
        response = app.get(url)
    assert response.status_code == 200, url
    return statements, response.body


@pytest.fixture
def catalogue():
    harvest_import.run(records=60, stock_records=0, batch_size=60, progress=print)
    return call_action("package_search", q="*:*", rows=100, sort="name asc")["results"]


def test_search_page_queries_do_not_grow_with_results(app, catalogue):
    _get(app, "/dataset/")  # first request of the app: caches filled
    one = catalogue[0]
    few, body = _get(app, f"/dataset/?q=name:{one['name']}")
    assert one["title"] in body
    many, body = _get(app, "/dataset/")
    assert sum(record["title"] in body for record in catalogue) >= 20, "a full page of results"
    assert len(many) <= len(few), "\n".join(many)


def test_record_page_queries_do_not_grow_with_relations(app, catalogue):
    def relations(record):
        return sum(len(v) if isinstance(v, list) else 1 for k, v in record.items()
                   if v and (k.startswith("related_") or k in ("principal_investigator", "lead_organization")))

    ordered = sorted(catalogue, key=relations)
    plain, rich = ordered[0], ordered[-1]
    assert relations(rich) >= relations(plain) + 3
    for record in (plain, rich):
        _get(app, f"/{record['type']}/{record['name']}")
    few, _ = _get(app, f"/{plain['type']}/{plain['name']}")
    many, _ = _get(app, f"/{rich['type']}/{rich['name']}")
    assert len(many) <= len(few) + 2, "\n".join(many)
