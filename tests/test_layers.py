"""The import layers in pyproject.toml cover the whole project.

`lint-imports` (in `make lint`, which `make test` runs) checks that imports
only go down the layers; it says nothing of a module that no layer names, so
a new module could sit outside the contract unnoticed. This test names it."""

import pkgutil
import tomllib
from pathlib import Path

import cases
import tracker

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _layered_modules():
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (layers,) = [
        contract["layers"] for contract in config["contracts"] if contract["type"] == "layers"
    ]
    return {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}


def _project_modules():
    """Each module and subpackage directly inside tracker/ and cases/."""
    return {
        f"{package.__name__}.{module.name}"
        for package in (tracker, cases)
        for module in pkgutil.iter_modules(package.__path__)
    }


def test_every_module_of_the_project_has_a_layer():
    unlayered = _project_modules() - _layered_modules()
    assert not unlayered, f"Give these modules a layer in pyproject.toml: {sorted(unlayered)}"


def test_every_layer_names_a_module_that_exists():
    missing = _layered_modules() - _project_modules()
    assert not missing, f"pyproject.toml's layers name modules that are gone: {sorted(missing)}"
