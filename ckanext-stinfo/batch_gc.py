"""Garbage collection during batch work (an index rebuild, a harvest batch).

CKAN's start-up leaves about 200,000 objects (modules, plugins, schemas, SQLAlchemy's mappings)
that live as long as the process. Each full collection walks all of them again, and a batch that
builds thousands of dicts triggers many: a tenth of the Python work of a rebuilt index document,
a sixth of an imported record's. :func:`long_lived_frozen` leaves them out meanwhile.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Meanwhile, the objects made so far are left out of the garbage collector's scans (processes
    forked meanwhile inherit this, and share those objects' memory pages with their parent longer);
    afterwards they are scanned as before."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
