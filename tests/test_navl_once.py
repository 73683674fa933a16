"""``navl_once.single_pass``: CKAN's validation results, with the schema work done once."""
import copy
import json

import pytest
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.lib.navl import dictization_functions as navl
from ckan.lib.navl.validators import empty, not_empty
from ckan.tests.lib.navl import test_dictization_functions as ckan_navl
from ckanext.stinfo import navl_once

from bench import common, generate

STOCK_VALIDATE = navl._validate
STOCK_UNFLATTEN = navl.unflatten
STOCK_FLATTEN = navl.flatten_dict


@pytest.fixture
def single_pass(monkeypatch):
    with navl_once.single_pass():
        monkeypatch.setattr(ckan_navl, "_validate", navl._validate)
        monkeypatch.setattr(ckan_navl, "unflatten", navl.unflatten)
        monkeypatch.setattr(ckan_navl, "flatten_dict", navl.flatten_dict)
        yield


@pytest.mark.usefixtures("single_pass")
class TestCkanValidate(ckan_navl.TestValidate):
    """CKAN's tests of ``validate``, run with the single pass."""


@pytest.mark.usefixtures("single_pass")
class TestCkanDictization(ckan_navl.TestDictization):
    """CKAN's tests of flattening, augmenting and validating, run with the single pass."""


def test_the_single_pass_is_in_place_only_meanwhile():
    stock = navl._validate, navl.unflatten, navl.flattened_order_key, navl.flatten_dict
    with navl_once.single_pass():
        assert navl._validate is navl_once._validate and navl.flatten_dict is navl_once._flatten
        assert navl.flattened_order_key(("a", 0, "b")) == stock[2](("a", 0, "b"))
    assert (navl._validate, navl.unflatten, navl.flattened_order_key, navl.flatten_dict) == stock


@pytest.mark.parametrize("schema", [None, {"2": {"21": {}}}, {"2": [not_empty]}])
def test_dicts_are_flattened_the_same(schema):
    data = {"1": "a", "2": [{"20": "b", "21": [{"210": "c"}, {"210": "d"}]}, {"20": "e", "21": []}],
            "e": [], "s": ["a", "b"], "o": {"x": [{"y": 1}]}, 3: None}
    expected = STOCK_FLATTEN(data, schema=schema)
    assert navl_once._flatten(data, schema=schema) == expected
    assert list(navl_once._flatten(data, schema=schema)) == list(expected)
    assert navl_once._flatten({"b": 2}, {("a",): 1}, ["p"]) == STOCK_FLATTEN({"b": 2}, {("a",): 1}, ["p"])
    with pytest.raises(navl.DataError, match="Values in lists need to be dicts"):
        navl_once._flatten({"l": [{"a": 1}, "not a dict"]})


def test_keys_in_the_same_order_and_dicts_unflattened_the_same():
    flat = {**ckan_navl.data, ("2", 5, "21", 2, "210"): "skipped positions", ("a",): 1, ("2", 1, "x"): [],
            ("extras", 1, "key"): "k", ("extras", 0, "value"): "v", ("B",): None}
    del flat[("4", 1, "30")]  # below a string
    assert navl_once._in_order(flat) == sorted(flat, key=navl.flattened_order_key)
    unflattened = navl_once._unflatten(flat)
    assert unflattened == STOCK_UNFLATTEN(flat)
    assert json.dumps(unflattened, default=str) == json.dumps(STOCK_UNFLATTEN(flat), default=str)


def _recorded_schema(log):
    """A schema with every kind of key, each validator recording the key it was called for."""

    def record(name):
        def converter(key, data, errors, context):
            log.append((name, key))
            if name == "stop" and data.get(key) is navl.missing:
                raise navl.StopOnError
        return converter

    def level(*names):
        return [record(name) for name in names]

    return {
        "__before": level("before"),
        "__after": level("after", "after again"),
        "__extras": [empty],
        "__junk": level("junk"),
        "0": level("0"),
        "1": level("stop", "not reached when missing") + [not_empty],
        "2": {
            "__before": level("2 before"),
            "__after": level("2 after"),
            "__extras": level("2 extras"),
            "20": level("20"),
            "22": level("22"),
            "21": {"210": level("210"), "__after": level("21 after")},
        },
        "3": {"30": level("30")},
    }


def _data(more=None):
    return {**ckan_navl.data, ("2", 0, "23"): "extra of 2,0", **(more or {})}


@pytest.mark.parametrize("data", [_data(), _data({("1",): "given"}), {}, {("5",): "junk only"}])
def test_the_same_results_and_validators_in_the_same_order(data):
    stock_log, log = [], []
    expected = STOCK_VALIDATE(copy.deepcopy(data), _recorded_schema(stock_log), {})
    assert navl_once._validate(copy.deepcopy(data), _recorded_schema(log), {}) == expected
    assert log == stock_log
    assert ("after", ("__after",)) in log
    assert (("2 after", ("2", 1, "__after")) in log) == (("2", 1, "20") in data)


@pytest.mark.parametrize("data", [{("2",): "not a list of dicts"}, _data({("2", 2, "21", 0, "210"): "no parent"})])
def test_a_value_against_a_subschema_is_refused_with_the_same_error(data):
    with pytest.raises(navl.DataError) as stock:
        STOCK_VALIDATE(data, _recorded_schema([]), {})
    with pytest.raises(navl.DataError) as single:
        navl_once._validate(data, _recorded_schema([]), {})
    assert str(single.value) == str(stock.value)


def _validated(pkg, action):
    plugin = lib_plugins.lookup_package_plugin(pkg["type"])
    schema = plugin.show_package_schema() if action == "package_show" else plugin.create_package_schema()
    context = {"model": model, "session": model.Session, "user": common.site_user(), "ignore_auth": True}
    return lib_plugins.plugin_validate(plugin, context, copy.deepcopy(pkg), schema, action)


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("action", ["package_create", "package_show"])
def test_records_of_every_type_validate_the_same(action):
    common.ensure_organizations(generate.organizations())
    records = list(generate.records(generate.BLOCK))
    broken = [dict(pkg, title="", **{"name": "Tên sai!"}) for pkg in records[:13]]
    seen = set()
    for pkg in records + broken:
        expected = _validated(pkg, action)
        with navl_once.single_pass():
            assert _validated(pkg, action) == expected, pkg["name"]
        seen.add(pkg["type"])
    assert seen == set(generate.MIX)
    assert any(_validated(pkg, "package_create")[1] for pkg in broken)


@pytest.mark.parametrize(("extras", "duplicate"), [
    ([{"key": "a", "value": "1"}, {"key": "b", "value": "2"}, {"key": "b", "value": "3"}, {"key": "a", "value": "4"}],
     "b"),
    ([{"key": "a", "value": "1"}, {"key": "a", "value": "2", "deleted": True}], None),
    ([{"key": "a", "value": "1"}, {"value": "no key"}], None),
    ([{"key": "a", "value": "1"}, {"key": "c", "value": "2"}, {"key": "c", "value": "3", "deleted": ""}], "c"),
    ([], None),
])
def test_duplicate_extras_are_refused_the_same(extras, duplicate):
    """``duplicate_extras_key`` reads only the extras: the same error, the same first duplicate."""
    from ckan.logic.schema import default_create_package_schema

    pkg = {"name": "ten-hop-le", "title": "Tiêu đề", "extras": extras, "resources": [{"url": "http://a.vn/x"}],
           "tags": [{"name": "khcn"}]}

    def validated():
        context = {"model": model, "session": model.Session}
        return navl.validate(copy.deepcopy(pkg), default_create_package_schema(), context)

    stock = validated()
    with navl_once.single_pass():
        assert validated() == stock
    assert stock[1].get("extras_validation") == ([f'Duplicate key "{duplicate}"'] if duplicate else None)


def test_an_unhashable_extras_key_fails_the_same():
    from ckan.logic.schema import default_create_package_schema

    def validated():
        pkg = {"name": "ten-hop-le", "extras": [{"key": ["a"], "value": "1"}, {"key": "b", "value": "2"}]}
        return navl.validate(pkg, default_create_package_schema(), {"model": model, "session": model.Session})

    with pytest.raises(TypeError) as stock:
        validated()
    with navl_once.single_pass(), pytest.raises(TypeError) as single:
        validated()
    assert str(single.value) == str(stock.value)


@pytest.mark.parametrize("extras", [
    {("extras", 0, "key"): "a", ("extras", 2, "key"): "b", ("extras", 2, "value"): "2"},
    {("extras", 1, "key"): "a", ("extras", 0, "key"): "a", ("extras", 0, "deleted"): True},
])
def test_extras_with_distinct_keys_are_read_without_unflattening(extras):
    assert navl_once._distinct_extras_keys(extras)


@pytest.mark.parametrize("extras", [
    {("extras", 0, "key"): "a", ("extras", 3, "key"): "a"},
    {("extras", 0, "value"): "no key"},
    {("extras",): []},
    {("extras", "0", "key"): "a"},
    {("extras", -1, "key"): "a"},
    {("extras", True, "key"): "a"},
    {("extras", 0, "key"): ["a"]},
])
def test_other_extras_are_left_to_ckans_validator(extras):
    assert not navl_once._distinct_extras_keys(extras)


def _schemas():
    from ckan.logic.schema import default_create_package_schema, default_show_package_schema

    return [_recorded_schema([]), default_show_package_schema(), default_create_package_schema(),
            {"a": {}, "b": {"c": {}, "d": {"e": [not_empty]}}, "f": [], "g": {"h": []}}]


@pytest.mark.parametrize("schema", _schemas())
def test_schema_paths_are_found_as_in_the_flattened_schema(schema):
    """``_is_prefix`` and ``_has_leaves`` answer what navl asks its flattened schema's key sets."""
    flat = navl.flatten_schema(schema)
    prefixes = {key[:n] for key in flat for n in range(1, len(key) + 1)}
    parents = {key[:-1] for key in flat}
    paths = (prefixes | parents | {path + (name,) for path in prefixes | parents for name in ("x", "a", "c", "e")}
             | {(name,) for name in ("a", "b", "g", "nope")} | {("b", "c"), ("b", "d"), ("b", "d", "e", "f")})
    for path in paths:
        assert navl_once._has_leaves(schema, path) == (path in parents), path
        if path:
            assert navl_once._is_prefix(schema, path) == (path in prefixes), path


def test_converters_are_called_as_navl_calls_them():
    """By their number of arguments; ``Invalid`` an error of the key; a wrong signature the same error."""
    def twice(value):
        return value * 2

    def with_context(value, context):
        return f"{value}:{context['marker']}"

    def refuses(value):
        raise navl.Invalid("refused")

    def sets_another(key, data, errors, context):
        data[("other",)] = "set"

    schema = {"a": [twice, with_context], "b": [refuses, twice], "c": [sets_another], "other": [twice]}
    data = {("a",): "x", ("b",): "y", ("c",): "z"}
    expected = STOCK_VALIDATE(copy.deepcopy(data), schema, {"marker": "m"})
    assert navl_once._validate(copy.deepcopy(data), schema, {"marker": "m"}) == expected
    assert expected[0][("a",)] == "xx:m" and expected[1][("b",)] == ["refused"]
    for wrong in (lambda a, b, c: None, len):
        with pytest.raises(TypeError) as stock:
            STOCK_VALIDATE({("a",): "x"}, {"a": [wrong]}, {})
        with pytest.raises(TypeError) as single:
            navl_once._validate({("a",): "x"}, {"a": [wrong]}, {})
        assert str(single.value) == str(stock.value)


def _from_extras_schema(log):
    """Fields taken from the extras, between converters of every kind: CKAN's of their key only,
    a value converter, and converters that rename an extra or add one with a later field's name."""
    from ckan.lib.navl.validators import ignore_missing, unicode_safe
    from ckan.logic.converters import convert_from_extras

    def renames(key, data, errors, context):
        for data_key in [k for k in data if k[0] == "extras" and k[-1] == "key" and data[k] == "old"]:
            data[data_key] = "c"

    def adds(key, data, errors, context):
        data[("extras", 9, "key")], data[("extras", 9, "value")] = "e", "added"

    def logged(key, data, errors, context):
        log.append((key, sorted(data, key=str)))

    return {"extras": {"key": [not_empty], "value": [not_empty]},
            "a": [convert_from_extras, ignore_missing, logged], "b": [renames, convert_from_extras, ignore_missing],
            "c": [convert_from_extras, unicode_safe, logged], "d": [adds], "e": [convert_from_extras, logged],
            "f": [convert_from_extras, ignore_missing]}


def _extras(*pairs, start=0):
    flat = {}
    for position, (name, value) in enumerate(pairs, start):
        flat[("extras", position, "key")], flat[("extras", position, "value")] = name, value
    return flat


@pytest.mark.parametrize("data", [
    _extras(("a", "1"), ("f", "2"), ("x", "3")),
    {**_extras(("f", "first"), ("a", "1")), **_extras(("f", "second"), start=3), ("name",): "f"},
    _extras(("old", "renamed to c"), ("c", "after the renamed one"), ("e", "own")),
    {**_extras(("a", "1")), ("extras", 0, "deleted"): False, ("name",): "a"},
    {("name",): "no extras"},
    _extras((5, "a name not a string"), ("a", "1")),
    {("extras",): []},
    {("extras", 0, "key"): "a"},
])
def test_fields_are_taken_from_their_extras_the_same(data):
    stock_log, log = [], []
    expected = STOCK_VALIDATE(copy.deepcopy(data), _from_extras_schema(stock_log), {})
    converted, errors = navl_once._validate(copy.deepcopy(data), _from_extras_schema(log), {})
    assert (converted, errors) == expected
    assert list(converted) == list(expected[0])
    assert log == stock_log


def test_the_extras_are_read_again_only_after_a_converter_that_may_change_them(monkeypatch):
    from ckan.lib.navl.validators import ignore_missing, unicode_safe
    from ckan.logic.converters import convert_from_extras

    def adds(key, data, errors, context):
        data[("extras", 9, "key")], data[("extras", 9, "value")] = "e", "added"

    reads = []
    read = navl_once._Extras._read
    monkeypatch.setattr(navl_once._Extras, "_read", lambda self, data: reads.append(1) or read(self, data))
    schema = {"a": [convert_from_extras, ignore_missing, unicode_safe], "c": [convert_from_extras, not_empty],
              "d": [adds], "e": [convert_from_extras], "f": [convert_from_extras, ignore_missing]}
    converted, _errors = navl_once._validate(_extras(("a", "1"), ("c", "2"), ("f", "4")), schema, {})
    assert len(reads) == 2, "read for a (c after key-local converters only), again for e after d added one"
    assert converted == STOCK_VALIDATE(_extras(("a", "1"), ("c", "2"), ("f", "4")), schema, {})[0]
    assert converted[("e",)] == "added"


def test_unread_errors_are_those_of_the_validation_asked_only():
    """In ``errors_unread`` the next validation gives no errors and the same data; validations
    made by its validators, and the next ones, keep theirs."""
    from ckan.logic.schema import default_create_package_schema

    inner = []

    def validates_a_part(key, data, errors, context):
        inner.append(navl.validate({"name": ""}, {"name": [not_empty]}, {})[1])

    schema = dict(default_create_package_schema(), notes=[validates_a_part])
    pkg = {"name": "Tên sai!", "title": "", "notes": "x", "extras": [{"key": "a", "value": "1"}, {"key": "a"}]}
    context = {"model": model, "session": model.Session}
    stock = navl.validate(copy.deepcopy(pkg), schema, context)
    assert stock[1] and inner[-1] == {"name": ["Missing value"]}
    with navl_once.single_pass():
        with navl_once.errors_unread():
            unread = navl.validate(copy.deepcopy(pkg), schema, context)
        assert unread == (stock[0], {})
        assert inner[-1] == {"name": ["Missing value"]}, "a validator's own validation keeps its errors"
        assert navl.validate(copy.deepcopy(pkg), schema, context) == stock
