"""Whether a Solr index built with one schema can be kept under another and re-indexed in place.

Lucene cannot hold one field with two definitions, so a change of a field, a field type's
options or the unique key needs an emptied index. A change of the text analysis or of the copy
rules does not: the documents already indexed keep their old terms until they are indexed again.
The two schemas are compared without their analyzers and copy rules.

Usage: python keeps_index.py <schema the index was built with> <new schema>
Exits 0 when the index can be kept, 1 when it must be emptied.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NOT_LAYOUT = {"analyzer", "copyField"}


def _layout(element: ET.Element) -> tuple:
    return (element.tag, sorted(element.attrib.items()), (element.text or "").strip(),
            [_layout(child) for child in element if child.tag not in NOT_LAYOUT])


def layout(schema: Path) -> tuple:
    """The fields, field types and keys of a schema file: what the indexed documents are made of."""
    return _layout(ET.parse(schema).getroot())


def keeps_index(built_with: Path, new: Path) -> bool:
    return layout(built_with) == layout(new)


if __name__ == "__main__":
    sys.exit(0 if keeps_index(Path(sys.argv[1]), Path(sys.argv[2])) else 1)
