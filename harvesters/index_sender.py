"""Sending index documents to Solr: at once, or in the background while the next batch of a
harvest is imported (one request at a time, in order).

Only the request runs in the background: the documents are built before, in the importing
thread. A failed background request is logged (its datasets are saved;
``ckan search-index rebuild`` indexes them) and never stops the import.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ckan.common import config
from ckan.lib.search import SearchIndexError
from ckan.lib.search.common import make_connection

log = logging.getLogger(__name__)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stinfo-index")
_pending: Future | None = None


def send_documents(docs: list[dict[str, Any]], commit: bool = True) -> int:
    """Send index documents in one Solr request and (unless ``commit`` is false) one commit;
    returns how many were sent."""
    if docs:
        try:
            connection = make_connection()
            connection.add(docs=docs, commit=False)
            if commit and config.get("ckan.search.solr_commit"):
                connection.commit()
        except Exception as err:
            raise SearchIndexError(f"Indexing {len(docs)} datasets failed ({err}); they are saved: "
                                   "'ckan search-index rebuild' indexes them") from err
    return len(docs)


def send(docs: list[dict[str, Any]]) -> None:
    """Send ``docs`` (with a commit) in the background, once the request under way is done."""
    global _pending
    wait()
    _pending = _executor.submit(send_documents, docs)


def wait() -> int:
    """Wait for the background request under way; returns how many documents it sent (0 when
    there was none or it failed)."""
    global _pending
    pending, _pending = _pending, None
    if pending is None:
        return 0
    try:
        return pending.result()
    except SearchIndexError as err:
        log.error("%s", err)
        return 0
