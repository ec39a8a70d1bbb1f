"""The one registry shape behind models, datasets and losses."""

import pytest

from workbench.registry import Registry


def test_register_list_get_and_remove():
    things = Registry("thing")

    @things.register("beta")
    def beta():
        return "b"

    things.add("alpha", "a")
    assert things.names() == ["alpha", "beta"] and things.names("b*") == ["beta"]
    assert "alpha" in things and things.get("beta") is beta
    things.remove("alpha")
    assert things.names() == ["beta"]


def test_duplicates_and_unknown_names_are_clear_errors():
    things = Registry("thing")
    things.add("alpha", 1)
    with pytest.raises(ValueError, match="A thing named 'alpha' is already registered"):
        things.add("alpha", 2)
    with pytest.raises(ValueError, match="Unknown thing 'gamma'; choose one of alpha"):
        things.get("gamma")


def test_a_deferred_entry_is_listed_at_once_and_imported_on_first_get():
    things = Registry("thing")
    things.add_deferred("dumps", "json:dumps")
    things.add_deferred("missing", "json:no_such_function")
    assert things.names() == ["dumps", "missing"]
    assert things.get("dumps") is __import__("json").dumps and things.get("dumps") is things.get("dumps")
    with pytest.raises(AttributeError, match="no_such_function"):
        things.get("missing")
    with pytest.raises(ValueError, match="'module:attribute'"):
        things.add_deferred("bad", "json.dumps")
