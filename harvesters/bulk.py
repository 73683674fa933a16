"""Bulk creation of new datasets for the harvester base's batched import.

``package_create`` for many records at once, with the same outcome: each record is validated as
``package_create`` validates it (its schema, the plugins' ``validate``, a context like its own),
then the batch is written with one flush (the package, resource, tag, package_tag and
organisation member rows as ``package_dict_save`` and ``package_owner_org_update`` make them, the
audit trail of restricted fields, the activity ckanext-activity writes), the
``IPackageController`` create hooks and the default resource views are run per dataset, and each
dataset is dictised once for both its ``new package`` activity and its search index document.

Records of a rarer shape (groups, relationships, given ids) go through ``package_create``.
"""
from __future__ import annotations

import copy
import datetime
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from ckan import logic, model, plugins
from ckan.lib import datapreview
from ckan.lib import dictization as d
from ckan.lib import plugins as lib_plugins
from ckan.lib.dictization import model_dictize, model_save
from ckan.lib.navl import dictization_functions as navl
from ckan.logic import schema as core_schemas
from ckan.plugins import toolkit
from ckanext.harvest.model import HarvestObject
from ckanext.scheming.plugins import SchemingDatasetsPlugin
from ckanext.stinfo import audit, navl_once, personal_data

log = logging.getLogger(__name__)

#: Keys of a validated dataset that ``package_create`` handles with per-record queries.
_PER_RECORD_KEYS = ("id", "relationships_as_subject", "relationships_as_object")


@dataclass
class _Pending:
    harvest_object: HarvestObject
    previous: HarvestObject | None
    data: dict[str, Any]
    context: dict[str, Any]
    package: model.Package | None = None
    resources: list[model.Resource] = field(default_factory=list)


class BulkCreator:
    """New datasets of one batch: :meth:`add` validates one record, :meth:`write` writes those
    added since the last write; their search index documents collect in ``documents``, to be
    sent once the batch is committed."""

    def __init__(self, harvester: Any) -> None:
        self.harvester = harvester
        self.user_name = harvester._get_user_name()
        self.user = model.User.get(self.user_name)
        self.pending: list[_Pending] = []
        self.names: set[str] = set()
        self.documents: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- validation
    def _context(self, batched: bool = True) -> dict[str, Any]:
        """The context ``package_create`` gets from the harvester base (as the action wrapper fills
        it). ``batched``: with what lets STInfo's validators spare per-record queries (names in use
        are asked at :meth:`write`, organisations were found by the batch)."""
        context = {"user": self.user_name, "ignore_auth": True, "defer_commit": True, "return_id_only": True,
                   "model": model, "session": model.Session}
        if batched:
            context.update(stinfo_names_checked_later=True,
                           stinfo_organization_ids=self.harvester._batch.organization_ids)
        return context

    def add(self, harvest_object: HarvestObject, previous: HarvestObject | None,
            package: dict[str, Any]) -> bool:
        """Validate a new dataset as ``package_create`` does and queue it; raises its
        ``ValidationError``. False (nothing queued) for a record ``package_create`` must create."""
        if package.get("name") in self.names:
            self.write()  # the name validator must see the earlier record of the same name
        context = self._context()
        if "type" not in package:
            plugin = lib_plugins.lookup_package_plugin()
            try:
                package["type"] = plugin.package_types()[0]
            except (AttributeError, IndexError):
                package["type"] = "dataset"
                plugin = lib_plugins.lookup_package_plugin("dataset")
        else:
            plugin = lib_plugins.lookup_package_plugin(package["type"])
        data, errors = lib_plugins.plugin_validate(plugin, context, package, plugin.create_package_schema(),
                                                   "package_create")
        if errors:  # package_create's very errors, whether the name is in use among them
            _data, errors = lib_plugins.plugin_validate(plugin, self._context(batched=False), package,
                                                        plugin.create_package_schema(), "package_create")
            raise toolkit.ValidationError(errors)
        if (any(key in data for key in _PER_RECORD_KEYS) or data.get("groups")
                or any(r.get("id") for r in data.get("resources") or [])):
            self.write()
            return False
        self.pending.append(_Pending(harvest_object, previous, data, context))
        self.names.add(data["name"])
        return True

    # ---------------------------------------------------------------- writing
    def write(self) -> None:
        """Write the queued datasets. The batch's commits are savepoints: one before and one after,
        so that a database error fails these datasets alone, as it would each one at a time (the
        rest of the batch goes on), and a later invalid record's rollback leaves them written."""
        pending, self.pending, self.names = self.pending, [], set()
        if not pending:
            return
        model.Session.commit()
        pending = self._refuse_names_in_use(pending)
        if not pending:
            return
        try:
            self._save(pending)
            for item in pending:
                self.harvester._set_current(item.harvest_object, item.previous, item.package.id)
            model.Session.flush()
            packages = [item.package for item in pending]
            documents = show_and_index(packages, self.user, self.user_name, dict.fromkeys(
                [pkg.id for pkg in packages] if activities_enabled() else [], "new package"))
            model.Session.commit()
        except sa.exc.SQLAlchemyError as err:
            log.exception("Writing %d new datasets failed", len(pending))
            model.Session.rollback()
            for item in pending:
                obj = item.harvest_object
                self.harvester._set_outcome(obj, state="ERROR", current=False, package_id=None)
                self.harvester._save_object_error(f"Record {obj.guid} could not be imported: {err}", obj, "Import")
            return
        self.documents.extend(documents)

    def _refuse_names_in_use(self, pending: list[_Pending]) -> list[_Pending]:
        """The check of ``package_name_validator`` for all the datasets at once: those whose name is
        in use are recorded as invalid, with its error; returns the others."""
        table = model.package_table
        in_use = set(model.Session.execute(
            sa.select(table.c.name).where(table.c.name.in_([item.data["name"] for item in pending]),
                                          table.c.state != model.State.DELETED)).scalars())
        if not in_use:
            return pending
        error = toolkit.ValidationError({"name": [toolkit._("That URL is already in use.")]})
        for item in pending:
            if item.data["name"] in in_use:
                self.harvester._set_outcome(item.harvest_object, state="ERROR")
                self.harvester._record_invalid(item.harvest_object, error)
        return [item for item in pending if item.data["name"] not in in_use]

    def _save(self, pending: list[_Pending]) -> None:
        """The rows of ``package_dict_save`` and ``package_owner_org_update``, for every dataset."""
        session = model.Session
        names = [item.data["name"] for item in pending]
        # A deleted dataset gives its name up to the new one (as table_dict_save does).
        session.execute(sa.update(model.package_table)
                        .where(model.package_table.c.name.in_(names),
                               model.package_table.c.state == model.State.DELETED)
                        .values(name=model.package_table.c.id))
        tags = self._tags(pending)
        organizations = self._organizations(pending)
        sysadmin = bool(self.user and self.user.sysadmin)
        members: list[dict[str, Any]] = []
        for item in pending:
            data = item.data
            if self.user:
                data["creator_user_id"] = self.user.id
            data.pop("metadata_created", None)
            plugin_data = data.pop("plugin_data", None)
            if sysadmin and plugin_data:
                data["plugin_data"] = copy.deepcopy(plugin_data)
            pkg = model.Package()
            pkg.from_dict(dict(data, extras={e["key"]: e["value"] for e in data.get("extras", [])}))
            pkg.id = str(uuid.uuid4())
            if not data.get("metadata_modified"):
                pkg.metadata_modified = datetime.datetime.utcnow()
            session.add(pkg)
            resources = []
            for res_dict in data.get("resources") or []:
                res_dict["package_id"] = pkg.id
                resources.append(model_save.resource_dict_save(res_dict, item.context)[0])
            pkg.resources_all[:] = resources
            item.resources = resources
            seen: dict[tuple[str, str | None], model.Tag] = {}
            for tag_dict in data.get("tags") or []:
                key = (tag_dict.get("name"), tag_dict.get("vocabulary_id"))
                if key not in seen:
                    tag = tags.get(key)
                    if tag is None:
                        tag = tags[key] = model.Tag()
                        session.add(tag)
                    tag.from_dict(tag_dict)
                    seen[key] = tag
            pkg.package_tags[:] = [model.PackageTag(pkg, tag, "active") for tag in seen.values()]
            org = organizations.get(pkg.owner_org)
            if org is not None:
                pkg.owner_org = org.id
                members.append({"id": str(uuid.uuid4()), "table_id": pkg.id, "table_name": "package",
                                 "group_id": org.id, "capacity": "organization", "state": "active"})
            item.package = pkg
        session.flush()
        if members:
            # Rows, not objects: CKAN's before-commit hook would query each new member's dataset.
            session.execute(sa.insert(model.member_table), members)
        for item in pending:
            item.data["id"] = item.package.id
            for res_dict, resource in zip(item.data.get("resources") or [], item.resources, strict=True):
                res_dict["id"] = resource.id
        self._after_create(pending)

    @staticmethod
    def _tags(pending: list[_Pending]) -> dict[tuple[str, str | None], model.Tag]:
        """The existing tags of the batch, by (name, vocabulary id), in one query."""
        names = {t.get("name") for item in pending for t in item.data.get("tags") or []}
        if not names:
            return {}
        found = model.Session.query(model.Tag).filter(model.Tag.name.in_(names))
        return {(tag.name, tag.vocabulary_id): tag for tag in found}

    @staticmethod
    def _organizations(pending: list[_Pending]) -> dict[str, model.Group]:
        """The owner organisations of the batch by id (validated ``owner_org`` is an id), in one query."""
        ids = {item.data.get("owner_org") for item in pending} - {None, ""}
        found = model.Session.query(model.Group).filter(model.Group.id.in_(ids)) if ids else []
        return {org.id: org for org in found if org.is_organization}

    def _after_create(self, pending: list[_Pending]) -> None:
        """What ``package_create`` (and STInfo's chained action) do once the rows exist."""
        view_plugins = datapreview.get_default_view_plugins(False)
        restricted = sorted(personal_data.restricted_fields())
        controllers = list(plugins.PluginImplementations(plugins.IPackageController))
        for item in pending:
            pkg, data = item.package, item.data
            for hook in controllers:
                hook.create(pkg)
                hook.after_dataset_create(item.context, data)
            if any(view.can_view({"resource": res, "package": data})
                   for res in data.get("resources") or [] for view in view_plugins):
                logic.get_action("package_create_default_resource_views")(
                    logic.fresh_context(item.context, ignore_auth=True), {"package": data})
            audit.record_change(item.context, pkg.id, [name for name in restricted if pkg.extras.get(name)])


def show_and_index(packages: list[model.Package], user: model.User | None, user_name: str,
                   activities: dict[str, str]) -> list[dict[str, Any]]:
    """The index document of each dataset, as ``index_update_package`` builds it, and, for those
    of ``activities`` (dataset id: activity type, e.g. ``changed package``), the activity
    ckanext-activity writes, from one dictisation."""
    from ckan.lib import search
    from ckanext.stinfo.harvesters.base import _collected_solr_documents
    from ckanext.stinfo.search_index import batch_lookups

    session = model.Session
    dictized = dictize_packages(packages)
    labels = lib_plugins.get_permission_labels()
    shown_for_index = ShownForIndex()
    index = search.index_for("Package")
    documents: list[dict[str, Any]] = []
    with _collected_solr_documents(documents), batch_lookups(dictized) as harvest:
        for pkg in packages:
            index_context = show_context(pkg, user=user_name, ignore_auth=True, use_cache=False,
                                         validate=False, auth_user_obj=user)
            if pkg.id not in activities:
                with_default, for_index = shown_for_index(pkg, dictized[pkg.id], index_context)
            else:
                # package_show as ckanext-activity calls it (anonymous) and as the index calls it
                # (the harvest user): the same show schema, then each caller's after_dataset_show.
                activity_context = show_context(pkg, for_view=False, ignore_auth=True, user="")
                with_default, with_custom = shown_for_index(pkg, dictized[pkg.id], index_context, activity_context)
                for_index = _copied(with_custom)
                logic.apply_after_dataset_show_plugins(activity_context, with_custom)
                session.add(_activity(user, pkg, with_custom, labels.get_dataset_labels(pkg), activities[pkg.id]))
                if with_default is with_custom:  # held by the activity
                    with_default = _copied(with_default)
            logic.apply_after_dataset_show_plugins(index_context, for_index)
            harvest.add(pkg.id, with_default, for_index)
            index.update_dict(dict(with_default, with_custom_schema=for_index), True)
    return documents


class ShownForIndex:
    """``package_show_default_and_custom_schemas`` for datasets already dictised
    (:func:`dictize_packages`): ``package_show``'s hooks, then the dataset with CKAN's default show
    schema and with its type's. The plugins' ``after_dataset_show`` is left to the caller. Made
    once for many datasets."""

    def __init__(self) -> None:
        self.core_default = core_schemas.default_show_package_schema()
        # less package_name_validator: on a stored dataset it only adds errors, which
        # package_show drops, at the cost of a query
        self.default = core_schemas.default_show_package_schema()
        name_in_use = toolkit.get_validator("package_name_validator")
        self.default["name"] = [v for v in self.default["name"] if v is not name_in_use]
        self.controllers = list(plugins.PluginImplementations(plugins.IPackageController))
        self.resource_controllers = list(plugins.PluginImplementations(plugins.IResourceController))
        self.completed: dict[str, dict[str, Any] | None] = {}

    def __call__(self, pkg: model.Package, shown: dict[str, Any], context: dict[str, Any],
                 custom_context: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """(with the default schema, with the type's schema) of ``shown``; the type's schema is
        applied in ``custom_context`` if given, else in ``context``."""
        for hook in self.controllers:
            hook.read(pkg)
        for hook in self.resource_controllers:
            for resource_dict in shown["resources"]:
                hook.before_resource_show(resource_dict)
        with navl_once.errors_unread():  # dropped, as package_show drops them
            with_default, _errors = lib_plugins.plugin_validate(object(), context, shown, self.default, "package_show")
        with_custom = self._with_custom(shown, custom_context or context)
        return with_default, with_default if with_custom is None else with_custom

    def _with_custom(self, shown: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
        """``shown`` validated with its type's show schema; None when that is CKAN's default.

        ckanext-scheming's ``validate`` completes the schema it is given with its type's fields
        (the same validators each time) and validates with navl: the schema it completed for the
        first dataset of a type is kept and the next ones are validated with it directly."""
        dataset_type = shown["type"]
        if dataset_type in self.completed:
            completed = self.completed[dataset_type]
            if completed is None:
                return None
            with navl_once.errors_unread():
                return navl.validate(shown, completed, context)[0]
        plugin = lib_plugins.lookup_package_plugin(dataset_type)
        schema = plugin.show_package_schema()
        if schema == self.core_default:
            self.completed[dataset_type] = None
            return None
        with navl_once.errors_unread():
            with_custom, errors = lib_plugins.plugin_validate(plugin, context, shown, schema, "package_show")
        if type(plugin).validate is SchemingDatasetsPlugin.validate and "type" not in errors:
            self.completed[dataset_type] = schema
        return with_custom


def _copied(value: Any) -> Any:
    """A copy of a validated dataset dict: its dicts and lists copied, other values (immutable,
    or navl's ``missing``) shared; ``copy.deepcopy`` at a fraction of the cost."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def show_context(pkg: model.Package, **values: Any) -> dict[str, Any]:
    return {"model": model, "session": model.Session, "package": pkg, **values}


def activities_enabled() -> bool:
    return plugins.plugin_loaded("activity") and toolkit.asbool(toolkit.config.get("ckan.activity_streams_enabled"))


def _activity(user: model.User | None, pkg: model.Package, shown: dict[str, Any], labels: list[str],
              activity_type: str):
    """The activity row ckanext-activity writes for ``package_create`` (``new package``) or
    ``package_update`` (``changed package``)."""
    from ckanext.activity.model import Activity

    return Activity(user.id if user else None, pkg.id, activity_type,
                    {"package": shown, "actor": user.name if user else None}, labels)


def dictize_packages(packages: list[model.Package]) -> dict[str, dict[str, Any]]:
    """``model_dictize.package_dictize`` of many datasets, with one query per related table (the
    dataset's own columns as stored, like the rows of the others)."""
    context: dict[str, Any] = {"model": model, "session": model.Session}
    ids = [pkg.id for pkg in packages]
    execute = model.Session.execute
    res, tag, pkg_tag = model.resource_table, model.tag_table, model.package_tag_table
    member, group, rel = model.member_table, model.group_table, model.package_relationship_table

    def by(rows, column: str) -> dict[str, list[Any]]:
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(getattr(row, column), []).append(row)
        return grouped

    rows = {row.id: row for row in execute(sa.select(model.package_table).where(model.package_table.c.id.in_(ids)))}
    resources = by(execute(sa.select(res).where(res.c.package_id.in_(ids))), "package_id")
    tags = _grouped(sa.select(tag, pkg_tag.c.state).join(pkg_tag, tag.c.id == pkg_tag.c.tag_id)
                    .where(pkg_tag.c.package_id.in_(ids)), pkg_tag.c.package_id, pkg_tag.c.id)
    groups = _grouped(sa.select(group, member.c.capacity).join(member, group.c.id == member.c.group_id)
                      .where(member.c.table_id.in_(ids), member.c.state == "active",
                             group.c.is_organization == sa.false()), member.c.table_id, member.c.id)
    organizations = {row.id: row for row in execute(
        sa.select(group).where(group.c.id.in_({p.owner_org for p in packages if p.owner_org}),
                               group.c.state == "active"))}
    subjects = by(execute(sa.select(rel).where(rel.c.subject_package_id.in_(ids))), "subject_package_id")
    objects = by(execute(sa.select(rel).where(rel.c.object_package_id.in_(ids))), "object_package_id")

    out = {}
    organization_dicts: dict[str, dict[str, Any]] = {}
    licences: dict[str | None, Any] = {}
    for pkg in packages:
        result = d.table_dictize(rows[pkg.id], context)
        if result.get("title"):
            result["title"] = result["title"].strip()
        result.pop("plugin_data", None)
        result["resources"] = model_dictize.resource_list_dictize(resources.get(pkg.id, []), context)
        result["num_resources"] = len(result["resources"])
        result["tags"] = d.obj_list_dictize(tags.get(pkg.id, []), context, lambda x: x["name"])
        result["num_tags"] = len(result["tags"])
        for tag_dict in result["tags"]:
            tag_dict["display_name"] = tag_dict["name"]
        result["extras"] = [{"key": k, "value": v} for k, v in (result["extras"] or {}).items()]
        context["with_capacity"] = False
        result["groups"] = model_dictize.group_list_dictize(
            groups.get(pkg.id, []), context, with_package_counts=False)
        organization = organizations.get(pkg.owner_org)
        if organization is not None:
            if organization.id not in organization_dicts:
                organization_dicts[organization.id] = d.table_dictize(organization, context)
                del organization_dicts[organization.id]["extras"]
            result["organization"] = dict(organization_dicts[organization.id])  # the row's values, as each time
        else:
            result["organization"] = None
        result["relationships_as_subject"] = d.obj_list_dictize(subjects.get(pkg.id, []), context)
        result["relationships_as_object"] = d.obj_list_dictize(objects.get(pkg.id, []), context)
        if pkg.license_id not in licences:  # looked up in the register's list at each reading
            licences[pkg.license_id] = pkg.license
        license = licences[pkg.license_id]
        result["isopen"] = bool(license and license.isopen())
        result["type"] = pkg.type or "dataset"
        if license and license.url:
            result["license_url"] = license.url
            result["license_title"] = license.title.split("::")[-1]
        elif license:
            result["license_title"] = license.title
        else:
            result["license_title"] = pkg.license_id
        result["metadata_modified"] = pkg.metadata_modified.isoformat()
        result["metadata_created"] = pkg.metadata_created.isoformat() if pkg.metadata_created else None
        out[pkg.id] = result
    return out


def _grouped(query: sa.Select, key: sa.Column, unique: sa.Column) -> dict[str, list[Any]]:
    """The rows of ``query`` (as package_dictize selects them) by the value of ``key``: two queries
    in the same order, so that the rows keep exactly the columns package_dictize gives."""
    order = (key, unique)
    keys = model.Session.execute(query.with_only_columns(key).order_by(*order)).scalars().all()
    grouped: dict[str, list[Any]] = {}
    for value, row in zip(keys, model.Session.execute(query.order_by(*order)).all(), strict=True):
        grouped.setdefault(value, []).append(row)
    return grouped
