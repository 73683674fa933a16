"""CKAN's navl validation with its schema work done once per validated dict.

For every dict it validates, ``ckan.lib.navl.dictization_functions._validate`` flattens the
schema three times, matches the data's keys against it three times, builds the full schema twice
and sorts it four times, by a key function that rebuilds each key through a list (as
``unflatten`` sorts, twice per validation). :func:`single_pass` puts in their place the same steps
done once each, sorting keys of one length as they are, and asks the schema itself where navl
asks sets of its flattened keys: the same converted data, the same errors, the validators run in
the same order, the same dicts in the same key order (CKAN's navl tests pass with it,
``tests/test_navl_once.py``). CKAN's ``duplicate_extras_key``, which unflattens the whole dict to
read its extras, reads them flattened; ``convert_from_extras``, which walks all the keys for each
field, reads the extras once per validation (:class:`_Extras`); dicts are flattened with their
keys built as tuples directly.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from ckan.lib.navl import dictization_functions as navl
from ckan.lib.navl import validators as navl_validators
from ckan.logic import converters, validators

Key = tuple[Any, ...]


def _order_key(key: Key) -> Key:
    """``flattened_order_key``: the key's length, then the key (the same tuple)."""
    return (len(key), *key)


def _in_order(keys: Iterable[Key]) -> list[Key]:
    """``sorted(keys, key=flattened_order_key)``: shorter keys first, keys of one length in
    their own order, compared without a key function."""
    return list(itertools.chain.from_iterable(
        sorted(same_length) for _length, same_length in itertools.groupby(sorted(keys, key=len), len)))


class _Unread(dict):
    """The errors of a validation whose caller drops them (:func:`errors_unread`)."""


_errors_unread: contextvars.ContextVar[bool] = contextvars.ContextVar("stinfo_errors_unread", default=False)


@contextlib.contextmanager
def errors_unread() -> Iterator[None]:
    """Meanwhile, the next validation (not those its validators may make) gives no errors: for
    callers that drop them, as ``package_show`` does. Its validators see the errors as always."""
    token = _errors_unread.set(True)
    try:
        yield
    finally:
        _errors_unread.reset(token)


def _unflatten(data: dict[Key, Any]) -> dict[str, Any]:
    """``unflatten``: the keys taken in :func:`_in_order`, lists with skipped positions closed;
    nothing of the errors of a validation made in :func:`errors_unread`."""
    if type(data) is _Unread:
        return {}
    unflattened: dict[str, Any] = {}
    clean_lists: dict[int, list[Any]] = {}
    for flat_key in _in_order(data):
        current: Any = unflattened
        for key in flat_key[:-1]:
            try:
                current = current[key]
            except IndexError:
                while True:
                    new: Any = {}
                    current.append(new)
                    if key < len(current):
                        break
                    clean_lists[id(current)] = current
                current = new
            except KeyError:
                new = []
                current[key] = new
                current = new
        current[flat_key[-1]] = data[flat_key]
    for items in clean_lists.values():
        items[:] = [item for item in items if item]
    return unflattened


_NO_SCHEMA = object()


def _sub_schema(schema: Any, path: Key) -> Any:
    """What ``path``'s names lead to through sub-schemas, else ``_NO_SCHEMA``."""
    for name in path:
        if not isinstance(schema, dict) or name not in schema:
            return _NO_SCHEMA
        schema = schema[name]
    return schema


def _has_leaves(schema: dict[str, Any], path: Key) -> bool:
    """Whether ``path`` is the parent of a key of ``flatten_schema(schema)``: its names lead
    through sub-schemas to one that has validators of its own."""
    sub = _sub_schema(schema, path)
    return isinstance(sub, dict) and any(not isinstance(value, dict) for value in sub.values())


def _leads_to_validators(schema: Any) -> bool:
    return not isinstance(schema, dict) or any(_leads_to_validators(value) for value in schema.values())


def _is_prefix(schema: Any, path: Key) -> bool:
    """Whether ``path`` begins a key of ``flatten_schema(schema)``."""
    sub = _sub_schema(schema, path)
    return sub is not _NO_SCHEMA and _leads_to_validators(sub)


def _key_combinations(data: dict[Key, Any], schema: dict[str, Any]) -> set[Key]:
    """``get_all_key_combinations``. A key's own combination is its parent's (``key[:-1]``) and
    depends only on those of shorter keys, so each parent is taken once, by length alone; the
    schema is asked about each list's path once."""
    has_leaves: dict[Key, bool] = {}
    combinations: set[Key] = {()}
    for parent in sorted({key[:-1] for key in data}, key=len):
        path = parent[::2]
        found = has_leaves.get(path)
        if found is None:
            found = has_leaves[path] = _has_leaves(schema, path)
        if found and parent[:-2] in combinations:
            combinations.add(parent)
    return combinations


def _full_schema(schema: dict[str, Any], combinations: set[Key]) -> dict[Key, Any]:
    """``make_full_schema``, from the combinations found once, its keys in navl's order (CKAN's
    order here is a set's): the combinations taken in :func:`_in_order`, each followed by the
    names of its sub-schema sorted, give the keys of one length together, in their own order."""
    full: dict[Key, Any] = {}
    names: dict[Key, list[Any]] = {}
    for combination in _in_order(combinations):
        path = combination[::2]
        sorted_names = names.get(path)
        if sorted_names is None:  # a combination's path leads to a sub-schema (_key_combinations)
            sorted_names = names[path] = sorted(
                (key, value) for key, value in _sub_schema(schema, path).items() if isinstance(value, list))
        for key, value in sorted_names:
            full[combination + (key,)] = value
    return full


def _augmented(data: dict[Key, Any], schema: dict[str, Any], combinations: set[Key],
               full_schema: dict[Key, Any]) -> dict[Key, Any]:
    """``augment_data``: keys not in the schema moved to ``__extras`` or ``__junk``, keys of the
    schema not in the data added as ``missing``. A data key not in the full schema is looked up
    in the schema, not in a list of the flattened schema's key prefixes built for each key."""
    new_data = copy.copy(data)
    keys_to_remove: list[Key] = []
    junk: dict[Key, Any] = {}
    extras_keys: dict[Key, dict[Any, Any]] = {}
    for key, value in new_data.items():
        if key in full_schema:
            continue
        if _is_prefix(schema, key[::2]) and data[key] != []:
            raise navl.DataError(f"Only lists of dicts can be placed against subschema {key}, "
                                 f"not {type(data[key])}")
        if key[:-1] in combinations:
            extras_keys.setdefault(key[:-1] + ("__extras",), {})[key[-1]] = value
        else:
            junk[key] = value
        keys_to_remove.append(key)
    if junk:
        new_data[("__junk",)] = junk
    new_data.update(extras_keys)
    for key in keys_to_remove:
        new_data.pop(key)
    for key in full_schema:
        if key not in new_data and not key[-1].startswith("__"):
            new_data[key] = navl.missing
    return new_data


def _duplicate_extras_key(key: Key, data: dict[Key, Any], errors: dict[Key, list[Any]], context: Any) -> None:
    """``duplicate_extras_key``, which unflattens the whole dict to read the extras' keys: the
    keys read from the flattened extras, and CKAN's validator run on the extras alone only when
    it has something to report (a key twice, an extra without one) or they are not a plain list."""
    extras = {k: v for k, v in data.items() if k[0] == "extras"}
    if not _distinct_extras_keys(extras):
        validators.duplicate_extras_key(key, extras, errors, context)


def _distinct_extras_keys(extras: dict[Key, Any]) -> bool:
    """Whether these flattened extras are ``("extras", position, field)`` and those not deleted
    each have a key of their own."""
    fields: dict[int, dict[Any, Any]] = {}
    for flat_key, value in extras.items():
        if len(flat_key) != 3 or type(flat_key[1]) is not int or flat_key[1] < 0:
            return False
        fields.setdefault(flat_key[1], {})[flat_key[2]] = value
    seen: set[Any] = set()
    for extra in fields.values():
        if extra.get("deleted"):
            continue
        if "key" not in extra:
            return False
        try:
            if extra["key"] in seen:
                return False
            seen.add(extra["key"])
        except TypeError:  # unhashable: CKAN's validator raises it
            return False
    return True


class _Extras:
    """``convert_from_extras`` for the fields of one validated dict, from its extras read once.

    CKAN's converter walks all the dict's keys for each field. Here the extras are read at the
    first field's conversion (the positions of the extras of each name, in the dict's order, and
    each extra's keys), and each conversion updates what was read. After any other converter that
    may change a key other than its own (all but :data:`KEY_LOCAL` and value converters, whose
    result navl stores under their own key), or that runs on a key of the extras, they are read
    again. Extras of another shape (a key of one item, a position that cannot be a dict key, a
    name that is not a string) are left to CKAN's converter."""

    def __init__(self) -> None:
        self.names: dict[str, list[Any]] | None = None
        self.keys: dict[Any, list[Key]] = {}

    def _read(self, data: dict[Key, Any]) -> bool:
        names: dict[str, list[Any]] = {}
        keys: dict[Any, list[Key]] = {}
        for data_key in [k for k in data if k[0] == "extras"]:
            if len(data_key) < 2:
                return False
            try:
                keys.setdefault(data_key[1], []).append(data_key)
            except TypeError:  # unhashable
                return False
            if data_key[-1] == "key":
                name = data[data_key]
                if type(name) is not str:
                    return False
                names.setdefault(name, []).append(data_key[1])
        self.names, self.keys = names, keys
        return True

    def convert(self, key: Key, data: dict[Key, Any], errors: dict[Key, list[Any]], context: Any) -> None:
        """``convert_from_extras(key, data, errors, context)``, for a key not of the extras."""
        name = key[-1]
        if type(name) is not str or (self.names is None and not self._read(data)):
            converters.convert_from_extras(key, data, errors, context)
            return
        positions = self.names.get(name)
        if not positions:
            return
        index = positions[0]
        data[key] = data[("extras", index, "value")]
        for stale in self.keys.pop(index):
            if stale[-1] == "key":
                listed = self.names[data[stale]]
                listed[:] = [position for position in listed if position != index]
            del data[stale]


#: CKAN's validators of a key that read, or remove, that key only.
KEY_LOCAL = frozenset({navl_validators.ignore_missing, navl_validators.not_empty, navl_validators.ignore,
                       navl_validators.empty, navl_validators.not_missing, navl_validators.ignore_empty})


FASTER = {validators.duplicate_extras_key: _duplicate_extras_key}
_FROM_EXTRAS = converters.convert_from_extras


def _run(schema_converters: list[Any], key: Key, data: dict[Key, Any], errors: dict[Key, list[Any]],
         context: Any, extras: _Extras) -> None:
    """The converters of ``key``, each called as ``navl.convert`` calls it (by its number of
    arguments), until one stops them."""
    for converter in schema_converters:
        if converter is _FROM_EXTRAS and key[0] != "extras":
            extras.convert(key, data, errors, context)
            continue
        converter = FASTER.get(converter, converter)
        try:
            nargs = converter.__code__.co_argcount
        except AttributeError:
            nargs = None
        try:
            if nargs == 4:
                converter(key, data, errors, context)
            elif nargs == 1:
                data[key] = converter(data.get(key))
            elif nargs == 2:
                data[key] = converter(data.get(key), context)
            else:
                navl.convert(converter, key, data, errors, context)  # its TypeError
        except navl.Invalid as error:
            errors[key].append(error.error)
        except navl.StopOnError:
            break
        finally:
            # the extras are read again after a converter that may have changed them
            if extras.names is not None and (key[0] == "extras" or nargs is None
                                             or (nargs == 4 and converter not in KEY_LOCAL)):
                extras.names = None


def _validate(data: dict[Key, Any], schema: dict[str, Any], context: Any
              ) -> tuple[dict[Key, Any], dict[Key, list[Any]]]:
    """``_validate``: ``__before`` validators, the fields', ``__extras``, ``__after`` (deepest
    key first) and ``__junk``, each run in the full schema's key order."""
    unread = _errors_unread.get()
    if unread:
        _errors_unread.set(False)  # validations its validators make keep theirs
    combinations = _key_combinations(data, schema)
    full_schema = _full_schema(schema, combinations)
    converted = _augmented(data, schema, combinations, full_schema)
    ordered = list(full_schema)  # in order already, so that unflattening the errors sorts sorted keys
    errors: dict[Key, list[Any]] = (_Unread if unread else dict)((key, []) for key in ordered)
    before: list[Key] = []
    fields: list[Key] = []
    extras_keys: list[Key] = []
    after: list[Key] = []
    for key in ordered:
        name = key[-1]
        if not name.startswith("__"):
            fields.append(key)
        elif name == "__before":
            before.append(key)
        elif name == "__extras":
            extras_keys.append(key)
        elif name == "__after":
            after.append(key)
    after.reverse()
    runs = before + fields + extras_keys + after + [key for key in [("__junk",)] if key in full_schema]
    extras = _Extras()
    for key in runs:
        _run(full_schema[key], key, converted, errors, context, extras)
    return converted, errors


def _flatten(data: dict[Any, Any], flattened: dict[Key, Any] | None = None, old_key: list[Any] | None = None,
             schema: dict[str, Any] | None = None) -> dict[Key, Any]:
    """``flatten_dict``: the keys built as tuples directly, rather than as lists copied at each
    level and turned into tuples."""
    flattened = flattened or {}
    _flatten_into(flattened, data, tuple(old_key or ()), schema)
    return flattened


def _flatten_into(flattened: dict[Key, Any], data: dict[Any, Any], prefix: Key, schema: dict[str, Any] | None) -> None:
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict) and (
                not schema or isinstance(schema.get(key), dict)):
            sub_schema = schema.get(key) if schema else None
            for position, item in enumerate(value):
                if not isinstance(item, dict):
                    raise navl.DataError("Values in lists need to be dicts")
                _flatten_into(flattened, item, prefix + (key, position), sub_schema)
        else:
            flattened[prefix + (key,)] = value


STEPS = {"_validate": _validate, "unflatten": _unflatten, "flattened_order_key": _order_key, "flatten_dict": _flatten}


@contextlib.contextmanager
def single_pass() -> Iterator[None]:
    """Meanwhile, navl (``validate`` and what calls ``unflatten`` through its module) works with
    the steps above."""
    saved = {name: getattr(navl, name) for name in STEPS}
    for name, step in STEPS.items():
        setattr(navl, name, step)
    try:
        yield
    finally:
        for name, step in saved.items():
            setattr(navl, name, step)
