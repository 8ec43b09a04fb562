"""Every macro of macros/ is documented, in the macros YAML named for its folder."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.conftest import REPO

MACROS = REPO / "macros"

#: A macro or generic test defined in a .sql file (dbt names a generic test ``test_<name>``).
_DEFINITION = re.compile(r"{%-?\s*(macro|test)\s+(\w+)\s*\(")
#: Adapter implementations of a dispatched macro: documented through the macro they implement.
_IMPLEMENTATION = re.compile(r"^(default|duckdb|postgres)__")


def _defined() -> dict[str, Path]:
    """Macro name -> the folder of the file that defines it."""
    defined = {}
    for path in sorted(MACROS.rglob("*.sql")):
        for kind, name in _DEFINITION.findall(path.read_text()):
            if not _IMPLEMENTATION.match(name):
                defined["test_" + name if kind == "test" else name] = path.parent
    return defined


def _documented() -> dict[str, Path]:
    """Macro name -> the YAML file that documents it."""
    documented = {}
    for path in sorted(MACROS.rglob("*.yml")):
        for macro in yaml.safe_load(path.read_text()).get("macros", []):
            assert macro["name"] not in documented, f"{macro['name']} is documented twice"
            documented[macro["name"]] = path
    return documented


def test_every_macro_is_documented_in_its_folder_s_macros_yaml() -> None:
    documented = _documented()
    misplaced = {
        name: str(documented.get(name, "nowhere"))
        for name, folder in _defined().items()
        if documented.get(name) != folder / f"_{folder.name}__macros.yml"
    }
    assert misplaced == {}


def test_every_documented_macro_exists() -> None:
    assert sorted(set(_documented()) - set(_defined())) == []


def test_the_only_macros_yaml_of_a_folder_is_named_for_it() -> None:
    for path in MACROS.rglob("*.yml"):
        assert path.name == f"_{path.parent.name}__macros.yml", path
