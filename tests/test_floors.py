"""The declared minimum versions are the ones `make test-min` installs (.ci/floors.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _floors_module():
    spec = importlib.util.spec_from_file_location("floors", REPO / ".ci" / "floors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floors = _floors_module()


@pytest.mark.parametrize("requirement, pin", [
    ("numpy>=2.0", "numpy==2.0"),
    ("ruff==0.17.6", "ruff==0.17.6"),
    ("scikit-learn >= 1.4.2, <2", "scikit-learn==1.4.2"),
    ("pkg[extra]~=1.3", "pkg==1.3"),
    ("tomli>=1.1; python_version < '3.11'", "tomli==1.1 ; python_version < '3.11'"),
])
def test_a_requirement_becomes_a_pin_of_its_floor(requirement, pin):
    assert floors.floor_pin(requirement) == pin


@pytest.mark.parametrize("requirement", ["numpy", "numpy<3", "numpy!=2.1"])
def test_a_requirement_without_a_floor_is_refused(requirement):
    with pytest.raises(ValueError, match="no minimum version"):
        floors.floor_pin(requirement)


def test_every_declared_dependency_has_a_floor_and_the_extras_of_make_test_are_read():
    pins = floors.floors(REPO / "pyproject.toml")
    names = {re.match(r"[A-Za-z0-9._-]+", pin).group(0).lower() for pin in pins}
    assert {"numpy", "graphviz", "tqdm", "matplotlib", "scikit-learn", "pytest",
            "hypothesis"} <= names
    assert all("==" in pin for pin in pins)
    makefile = (REPO / "Makefile").read_text()
    assert '".[plots,data,test]"' in makefile  # the extras EXTRAS names
    assert floors.EXTRAS == ("plots", "data", "test")
