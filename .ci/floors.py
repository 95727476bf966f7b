"""Print the declared minimum versions of pyproject.toml as pins, one per line.

    python .ci/floors.py            numpy==2.0.0, graphviz==0.20, ... (dependencies and the
                                    extras `make test` installs: plots, data, test)

`make test-min` installs these into .venv-min and runs the suite there, so the floors
that pyproject.toml declares are the versions CI tests: the floor and the test read one
list and cannot drift. Every requirement must have a floor (>=, == or ~=); one without
is an error, since nothing would say which version to test.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as the package tomli
    import tomli as tomllib

#: The extras that `make test` installs (the Makefile's .venv); their floors are tested too.
EXTRAS = ("plots", "data", "test")

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?$")


def floor_pin(requirement: str) -> str:
    """``"numpy>=2.0"`` → ``"numpy==2.0"``; ``"ruff==0.17.6"`` stays; markers are kept."""
    match = _REQUIREMENT.match(requirement)
    if match is None:
        raise ValueError(f"cannot read the requirement {requirement!r}")
    name, _extras, specifiers, marker = match.groups()
    lowest = None
    for spec in filter(None, (s.strip() for s in specifiers.split(","))):
        operator, version = re.match(r"(>=|==|~=|<=|<|>|!=)?\s*(.*)", spec).groups()
        if operator in (">=", "==", "~="):
            lowest = version.strip()
    if lowest is None:
        raise ValueError(
            f"{requirement!r} declares no minimum version (>=, == or ~=): give it a floor"
        )
    return f"{name}=={lowest}" + (f" {marker.strip()}" if marker else "")


def floors(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in EXTRAS:
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no extra {extra!r}")
        requirements += optional[extra]
    return [floor_pin(r) for r in requirements]


def main() -> int:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        pins = floors(pyproject)
    except ValueError as err:
        print(f"floors.py: {err}", file=sys.stderr)
        return 1
    print("\n".join(pins))
    return 0


if __name__ == "__main__":
    sys.exit(main())
