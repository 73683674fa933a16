"""CKAN's navl validation with its schema work done once per validated dict.

For every dict it validates, ``ckan.lib.navl.dictization_functions._validate`` flattens the
schema three times, matches the data's keys against it three times, builds the full schema twice
and sorts it four times, by a key function that rebuilds each key through a list (as
``unflatten`` sorts, twice per validation). :func:`single_pass` puts in their place the same steps
done once each, sorting keys of one length as they are: the same converted data, the same errors,
the validators run in the same order, the same dicts in the same key order (CKAN's navl tests pass
with it, ``tests/test_navl_once.py``). CKAN's ``duplicate_extras_key``, which unflattens the whole
dict to read its extras, is given only the extras.
"""
from __future__ import annotations

import contextlib
import copy
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from ckan.lib.navl import dictization_functions as navl
from ckan.logic import validators

Key = tuple[Any, ...]


def _order_key(key: Key) -> Key:
    """``flattened_order_key``: the key's length, then the key (the same tuple)."""
    return (len(key), *key)


def _in_order(keys: Iterable[Key]) -> list[Key]:
    """``sorted(keys, key=flattened_order_key)``: shorter keys first, keys of one length in
    their own order, compared without a key function."""
    return list(itertools.chain.from_iterable(
        sorted(same_length) for _length, same_length in itertools.groupby(sorted(keys, key=len), len)))


def _unflatten(data: dict[Key, Any]) -> dict[str, Any]:
    """``unflatten``: the keys taken in :func:`_in_order`, lists with skipped positions closed."""
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


def _key_combinations(data: dict[Key, Any], flattened_schema: dict[Key, Any]) -> set[Key]:
    """``get_all_key_combinations``."""
    schema_prefixes = {key[:-1] for key in flattened_schema}
    combinations: set[Key] = {()}
    for key in _in_order(data):
        if key[:-1:2] in schema_prefixes and tuple(key[:-3]) in combinations:
            combinations.add(tuple(key[:-1]))
    return combinations


def _full_schema(schema: dict[str, Any], combinations: set[Key]) -> dict[Key, Any]:
    """``make_full_schema``, from the combinations found once."""
    full: dict[Key, Any] = {}
    for combination in combinations:
        sub_schema = schema
        for key in combination[::2]:
            sub_schema = sub_schema[key]
        for key, value in sub_schema.items():
            if isinstance(value, list):
                full[combination + (key,)] = value
    return full


def _augmented(data: dict[Key, Any], flattened_schema: dict[Key, Any], combinations: set[Key],
               full_schema: dict[Key, Any]) -> dict[Key, Any]:
    """``augment_data``: keys not in the schema moved to ``__extras`` or ``__junk``, keys of the
    schema not in the data added as ``missing``. A data key is checked against the schema's key
    prefixes as a set, not a list built for each key."""
    prefixes: set[Key] | None = None
    new_data = copy.copy(data)
    keys_to_remove: list[Key] = []
    junk: dict[Key, Any] = {}
    extras_keys: dict[Key, dict[Any, Any]] = {}
    for key, value in new_data.items():
        if key in full_schema:
            continue
        if prefixes is None:
            prefixes = {key[:n] for key in flattened_schema for n in range(len(key) + 1)}
        if key[::2] in prefixes and data[key] != []:
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
    """``duplicate_extras_key`` on the extras' keys alone: what it unflattens of them is the same."""
    validators.duplicate_extras_key(key, {k: v for k, v in data.items() if k[0] == "extras"}, errors, context)


FASTER = {validators.duplicate_extras_key: _duplicate_extras_key}


def _run(converters: list[Any], key: Key, data: dict[Key, Any], errors: dict[Key, list[Any]],
         context: Any) -> None:
    for converter in converters:
        converter = FASTER.get(converter, converter)
        try:
            navl.convert(converter, key, data, errors, context)
        except navl.StopOnError:
            break


def _validate(data: dict[Key, Any], schema: dict[str, Any], context: Any
              ) -> tuple[dict[Key, Any], dict[Key, list[Any]]]:
    """``_validate``: ``__before`` validators, the fields', ``__extras``, ``__after`` (deepest
    key first) and ``__junk``, each run in the full schema's key order."""
    flattened_schema = navl.flatten_schema(schema)
    combinations = _key_combinations(data, flattened_schema)
    full_schema = _full_schema(schema, combinations)
    converted = _augmented(data, flattened_schema, combinations, full_schema)
    errors: dict[Key, list[Any]] = {key: [] for key in full_schema}
    ordered = _in_order(full_schema)
    runs = (
        [key for key in ordered if key[-1] == "__before"]
        + [key for key in ordered if not key[-1].startswith("__")]
        + [key for key in ordered if key[-1] == "__extras"]
        + [key for key in reversed(ordered) if key[-1] == "__after"]
        + [key for key in [("__junk",)] if key in full_schema]
    )
    for key in runs:
        _run(full_schema[key], key, converted, errors, context)
    return converted, errors


STEPS = {"_validate": _validate, "unflatten": _unflatten, "flattened_order_key": _order_key}


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
