"""The streaming DCAT export (ckan stinfo export-dcat): one process or several, the same catalogue."""
import collections
import gzip
import re

import pytest
from ckan.tests.helpers import call_action
from ckanext.stinfo import export

from bench import common, generate, harvest_import

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

BLANK = re.compile(r"_:[A-Za-z0-9]+")


def _triples(path):
    """The triples without blank nodes (a set: pages repeat shared concepts), and how many of
    each triple with blank nodes (one set per dataset)."""
    with gzip.open(path, "rt", encoding="utf-8") as text:
        lines = [line for line in text if line.strip()]
    return ({line for line in lines if not BLANK.search(line)},
            collections.Counter(BLANK.sub("_:b", line) for line in lines if BLANK.search(line)))


def _datasets(path):
    """The datasets of an N-Triples export, in the order they were written."""
    typed = ["<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/ns/dcat#Dataset>"]
    with gzip.open(path, "rt", encoding="utf-8") as text:
        return [line.split()[0] for line in text if line.split()[1:3] == typed]


def test_parallel_export_writes_the_same_catalogue_in_id_order(tmp_path):
    harvest_import.run(records=90, stock_records=0, batch_size=90, progress=print)
    private = generate.record(1, 5)["name"]
    call_action("package_patch", context=common.context(), id=private, private=True)
    single, parallel = tmp_path / "one.nt.gz", tmp_path / "two.nt.gz"
    assert export.export_to_path(str(single), page_size=20) == 89
    seen = []
    assert export.export_to_path(str(parallel), page_size=20, workers=2, progress=seen.append) == 89
    assert seen and seen[-1] == 89 and seen == sorted(seen), "progress as the parts complete"
    assert _triples(parallel) == _triples(single), "the same triples"
    ids = [re.search(r"/dataset/([0-9a-f-]{36})>", uri).group(1) for uri in _datasets(parallel)]
    assert len(ids) == 89 and [i[:2] for i in ids] == sorted(i[:2] for i in ids), "parts joined in id order"
    with gzip.open(parallel, "rt", encoding="utf-8") as text:
        assert private not in text.read()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")], "part files removed"
