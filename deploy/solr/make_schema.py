"""Write the Solr schema for the CKAN core: CKAN's own schema.xml with Vietnamese text analysis.

CKAN's ``text`` and ``text_general`` types stem English and only fold precomposed accents. Here
both types normalise Unicode first (NFKC with case folding, so decomposed Vietnamese input
matches precomposed), drop the English stemmer, and fold accents and đ/Đ while keeping the
original token at the same position: "nghien cuu" finds "nghiên cứu", and a query typed with its
accents ranks exact-accent matches first because they match both tokens.

The ``text_ngram`` type of the autocomplete fields (``title_ngram``, ``name_ngram``, searched by
``package_autocomplete``) indexes the beginnings of words (2–20 characters, normalised and
folded like the text types, so "nghien" completes "nghiên cứu") instead of every 2–10 character
substring of the whole title (hundreds of terms per record), and its copies are not stored.

CKAN follows the word delimiter of its index analyzers with a ``FlattenGraphFilter``. The
delimiter here emits every word and number part, so the tokens it joins ("TT-BKHCN" also as
"ttbkhcn") only bridge positions of those parts, and the index gets the same terms at the same
positions without flattening (compared on every text value of 2,000 benchmark records and on
edge cases), for about a fifth less of Solr's work per indexed document (bench/RESULTS.md).

Two fields are added (``ckanext.stinfo.quality``): ``stinfo_quality*`` (an int, stored,
sortable), the metadata quality score of a record and its points per dimension, and
``stinfo_quality_issues``, the codes of its quality issues: strings for filters and facets, not
copied into the full-text ``text`` field as CKAN's ``vocab_*`` fields are (a search for
"licence" or "investigator" would otherwise find every record that lacks one).

Usage: python make_schema.py <target schema.xml>
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import ckan

NORMALIZE = {"class": "solr.ICUNormalizer2CharFilterFactory", "form": "nfkc_cf"}
FOLD = {"class": "solr.ASCIIFoldingFilterFactory", "preserveOriginal": "true"}
DEDUP = {"class": "solr.RemoveDuplicatesTokenFilterFactory"}
DROPPED = {"solr.SnowballPorterFilterFactory", "solr.ASCIIFoldingFilterFactory", "solr.LowerCaseFilterFactory"}
DELIMITER = "solr.WordDelimiterGraphFilterFactory"
FLATTEN = "solr.FlattenGraphFilterFactory"
PREFIXES = {"class": "solr.EdgeNGramFilterFactory", "minGramSize": "2", "maxGramSize": "20"}


def _emits_every_part(delimiter: ET.Element | None) -> bool:
    return (delimiter is not None and delimiter.get("class") == DELIMITER
            and delimiter.get("generateWordParts") == delimiter.get("generateNumberParts") == "1")


def _without_needless_flattening(filters: list[ET.Element]) -> list[ET.Element]:
    """The filters less a flattening of what a delimiter emitting every part made (see above)."""
    return [el for previous, el in zip([None, *filters], filters, strict=False)
            if not (el.get("class") == FLATTEN and _emits_every_part(previous))]


def _vietnamese_analyzer(analyzer: ET.Element) -> None:
    """Rewrite one analyzer in place: normalise, tokenise as CKAN does, fold keeping originals."""
    filters = _without_needless_flattening(
        [el for el in analyzer if el.tag == "filter" and el.get("class") not in DROPPED])
    tokenizer = analyzer.find("tokenizer")
    for child in list(analyzer):
        analyzer.remove(child)
    analyzer.append(ET.Element("charFilter", NORMALIZE))
    analyzer.append(tokenizer)
    analyzer.extend(filters)
    analyzer.append(ET.Element("filter", FOLD))
    analyzer.append(ET.Element("filter", DEDUP))


def _word_prefixes(field_type: ET.Element) -> None:
    """Rewrite the autocomplete type: word beginnings at index time, whole words at query time."""
    for analyzer in field_type.findall("analyzer"):
        for child in list(analyzer):
            analyzer.remove(child)
        analyzer.append(ET.Element("charFilter", NORMALIZE))
        analyzer.append(ET.Element("tokenizer", {"class": "solr.WhitespaceTokenizerFactory"}))
        analyzer.append(ET.Element("filter", FOLD))
        if analyzer.get("type") == "index":
            analyzer.append(ET.Element("filter", PREFIXES))
        analyzer.append(ET.Element("filter", DEDUP))


def build(source: Path) -> ET.ElementTree:
    """CKAN's schema with the text types made Vietnamese-aware."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    tree = ET.parse(source, parser)
    for field_type in tree.getroot().iter("fieldType"):
        if field_type.get("name") in {"text", "text_general"}:
            for analyzer in field_type.findall("analyzer"):
                _vietnamese_analyzer(analyzer)
        elif field_type.get("name") == "text_ngram":
            _word_prefixes(field_type)
    root = tree.getroot()
    for field in root.iter("field"):
        if field.get("type") == "text_ngram":
            field.set("stored", "false")
    catch_all = next(el for el in root.iter("dynamicField") if el.get("name") == "*")
    parent = next(el for el in root.iter() if catch_all in list(el))
    quality = ET.Element("dynamicField", {"name": "stinfo_quality*", "type": "int", "indexed": "true",
                                          "stored": "true", "docValues": "true", "multiValued": "false"})
    parent.insert(list(parent).index(catch_all), quality)
    issues = ET.Element("field", {"name": "stinfo_quality_issues", "type": "string", "indexed": "true",
                                  "stored": "true", "docValues": "true", "multiValued": "true"})
    last_field = [el for el in parent if el.tag == "field"][-1]
    parent.insert(list(parent).index(last_field) + 1, issues)
    ET.indent(tree, space="    ")
    return tree


def main(target: str) -> None:
    source = Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"
    build(source).write(target, encoding="UTF-8", xml_declaration=True)


if __name__ == "__main__":
    main(sys.argv[1])
