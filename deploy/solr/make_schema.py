"""Write the Solr schema for the CKAN core: CKAN's own schema.xml, as installed.

Usage: python make_schema.py <target schema.xml>
"""
import sys
from pathlib import Path

import ckan


def main(target: str) -> None:
    source = Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"
    Path(target).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
