"""Audit trail of restricted fields: who viewed or changed a personal identification number
(its fingerprint), when, on which record.

The ``stinfo_audit`` table is created by the plugin's migration
(``migration/stinfo/versions``, applied by ``ckan db init`` / ``ckan db upgrade``) and is
append-only: a trigger refuses UPDATE and DELETE of its rows. Views are written at once on their
own connection (a read does not commit the request's session); changes are written in the
session of the change, so they commit, or roll back, with it.
"""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from ckan import model

VIEWED = "viewed"
CHANGED = "changed"

table = sa.Table(
    "stinfo_audit",
    sa.MetaData(),  # not CKAN's metadata: the test database reset must not try to empty it
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.UnicodeText, nullable=False),
    sa.Column("action", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("field", sa.UnicodeText, nullable=False),
)


def _rows(user: str | None, action: str, package_id: str, fields: list[str]) -> list[dict[str, Any]]:
    now = datetime.datetime.now(datetime.timezone.utc)
    return [{"timestamp": now, "user_name": user or "", "action": action, "package_id": package_id,
             "field": field} for field in sorted(fields)]


def record_view(user: str | None, package_id: str, fields: list[str]) -> None:
    """Record that ``user`` was given the restricted ``fields`` of a record (committed at once)."""
    if not fields:
        return
    with model.meta.engine.begin() as connection:
        connection.execute(table.insert(), _rows(user, VIEWED, package_id, fields))


def record_change(context: dict[str, Any], package_id: str, fields: list[str]) -> None:
    """Record that the user of ``context`` set or changed ``fields``, with the change itself."""
    if not fields:
        return
    model.Session.execute(table.insert(), _rows(context.get("user"), CHANGED, package_id, fields))
    if not context.get("defer_commit"):
        model.repo.commit()


def stored(package_id: str | None, fields) -> dict[str, str | None]:
    """The stored values of ``fields`` of a record (empty for a new record)."""
    package = model.Package.get(package_id) if package_id else None
    if package is None:
        return {}
    return {name: package.extras.get(name) for name in fields}


def changed_fields(before: dict[str, str | None], package_id: str, fields) -> list[str]:
    """Restricted fields whose stored value is set and differs from ``before``."""
    after = stored(package_id, fields)
    return [name for name in fields if after.get(name) and after.get(name) != before.get(name)]


def entries(package_id: str | None = None, user: str | None = None, limit: int = 100,
            offset: int = 0) -> list[dict[str, Any]]:
    """Audit entries, newest first."""
    query = sa.select(table).order_by(table.c.id.desc()).limit(limit).offset(offset)
    if package_id:
        query = query.where(table.c.package_id == package_id)
    if user:
        query = query.where(table.c.user_name == user)
    return [{"id": row.id, "timestamp": row.timestamp.isoformat(), "user": row.user_name,
             "action": row.action, "package_id": row.package_id, "field": row.field}
            for row in model.Session.execute(query)]
