"""The layering of autograd_lite and visualize, read from the source with :mod:`ast`.

Every import of every module counts: at the top, inside functions, under
``if TYPE_CHECKING:`` and ``importlib.import_module("...")`` with a literal name (or
an f-string whose literal start names a package: every module in that package).
TYPE_CHECKING imports count for everything, circles included: an annotation that
names another module is a dependency of the design (type checkers follow it), and a
circle hidden behind ``TYPE_CHECKING`` is still a circle the moment someone needs
the name at run time.

A package's ``__init__`` is a facade that re-exports names: ``from autograd_lite
import Tensor`` depends on ``autograd_lite.tensor``, where ``Tensor`` is defined, not
on everything the facade imports; likewise ``import autograd_lite as al`` followed
by ``al.sigmoid(...)`` depends on ``autograd_lite.ops.activations``. (At run time
``autograd_lite/__init__.py`` imports nn, optim and check last, once the names they
use exist.) A package used as a whole (``getattr(al, name)``) depends on the facade.

The rules:

- Above the core, modules use autograd_lite's public names only: names in
  ``autograd_lite.__all__`` and, for a public module (``autograd_lite.ops`` and the
  modules named in ``autograd_lite.__all__``: nn, optim, data, files, reference), names
  in its ``__all__`` - plus the modules of their own home (nn may import nn.*; the
  CLI's modules import each other). ``PRIVATE_IMPORTS_ALLOWED`` lists the exceptions.
- visualize imports nothing from the CLI (cli, commands, expression).
- One import circle at most, the one declared in ``DECLARED_CIRCLE``.
- No import runs back up ``LAYERS``.
"""

from __future__ import annotations

import ast
import functools
import importlib
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd_lite", "visualize")

#: The command line, which visualize must not import.
CLI = (
    "autograd_lite.cli", "autograd_lite.__main__", "autograd_lite.expression",
    "autograd_lite.commands.*",
)

#: Bottom to top; an import may go down or stay in its layer, never up. "pkg.*" is the
#: package and every module in it; other entries are single modules.
LAYERS: dict[str, tuple[str, ...]] = {
    "core": (
        "autograd_lite.tensor", "autograd_lite.engine", "autograd_lite.fast_backward",
        "autograd_lite.grad_mode", "autograd_lite.numpy_dispatch", "autograd_lite.traps",
        "autograd_lite.ops.*", "autograd_lite.debug", "autograd_lite.compile",
        "autograd_lite.files",
    ),
    # The package's front door sits here, not in the core: it re-exports nn, optim and
    # check. What others import from it counts as imported from the defining module.
    "library": (
        "autograd_lite", "autograd_lite.nn.*", "autograd_lite.optim", "autograd_lite.check",
        "autograd_lite.reference", "autograd_lite.data",
    ),
    "visualize": ("visualize.*",),
    # The tutorials' plumbing (pictures, fast mode, the gallery): above visualize, whose
    # pictures it saves; nothing in the package imports it.
    "lessons": ("autograd_lite.lessons",),
    "cli": CLI,
}

#: The only import circle allowed: Tensor and its ops. Tensor's operators and methods
#: call the primitives and the engine (tensor.py imports them at its end), every
#: primitive makes Tensors, and the engine walks Tensors, so the three are one unit
#: (fast_backward is the engine's fused loop; numpy_dispatch is Tensor's side of NumPy's
#: dispatch protocols, which sends np.exp(t) to the ops). ops.losses is outside it: nothing inside
#: imports it. Any other circle is a defect; if this one shrinks, shrink it here.
DECLARED_CIRCLE = frozenset({
    "autograd_lite.tensor",
    "autograd_lite.engine",
    "autograd_lite.fast_backward",
    "autograd_lite.numpy_dispatch",
    "autograd_lite.ops.activations",
    "autograd_lite.ops.base",
    "autograd_lite.ops.elementwise",
    "autograd_lite.ops.linalg",
    "autograd_lite.ops.reductions",
    "autograd_lite.ops.shape",
})

#: Where a module may import private modules of its own home (beyond the public names).
HOMES: tuple[tuple[str, ...], ...] = (("autograd_lite.nn.*",), CLI, ("visualize.*",))

#: (importing module, imported module, name) -> why it is allowed for now.
PRIVATE_IMPORTS_ALLOWED: dict[tuple[str, str, str | None], str] = {}


# --------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Import:
    """One dependency of ``importer``: ``name`` (or the whole module) from ``module``."""

    importer: str
    module: str
    name: str | None
    line: int
    text: str
    #: False for a module bound to a name that is only used as ``name.attr``: the
    #: attribute uses carry the dependency (so a facade is looked through).
    edge: bool = True

    def where(self) -> str:
        return f"{self.importer} line {self.line}: {self.text}"


@dataclass
class Project:
    modules: dict[str, str]  # module -> source
    packages: set[str]
    imports: dict[str, list[Import]] = field(default_factory=dict)
    edges: dict[str, dict[str, list[Import]]] = field(default_factory=dict)


def matches(module: str, patterns: Iterable[str]) -> bool:
    """Whether ``module`` is one of ``patterns`` ("pkg.*": the package or anything in it)."""
    for pattern in patterns:
        if pattern.endswith(".*"):
            package = pattern[:-2]
            if module == package or module.startswith(package + "."):
                return True
        elif module == pattern:
            return True
    return False


def layer_of(module: str) -> str | None:
    found = [layer for layer, patterns in LAYERS.items() if matches(module, patterns)]
    return found[0] if len(found) == 1 else None


def home_of(module: str) -> tuple[str, ...]:
    return next((home for home in HOMES if matches(module, home)), (module,))


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([target] if target else []))


def _attribute_chain(node: ast.expr) -> list[str] | None:
    """["al", "nn", "MLP"] for ``al.nn.MLP``; None if it does not start at a name."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return names[::-1]


def _is_import_module(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id == "import_module"
    )


def literal_all(source: str) -> list[str] | None:
    """The names of a module's ``__all__ = [...]`` (a literal list of strings), else None."""
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                    for e in node.value.elts)
        ):
            return [e.value for e in node.value.elts]
    return None


def _star_expanded(names: list[ast.alias], star: Callable[[], list[str]]) -> list[ast.alias]:
    """``from m import *`` takes each name of m's ``__all__``: one alias per name."""
    if [alias.name for alias in names] != ["*"]:
        return names
    return [ast.alias(name=name) for name in star()]


def read_imports(
    module: str, source: str, is_package: bool, known: Iterable[str],
    sources: Mapping[str, str] | None = None,
) -> list[Import]:
    """Every import of one module, with the names it takes (see the module docstring).

    ``from m import *`` counts as importing each name of m's literal ``__all__``
    (``sources`` holds m's text); a star import from a module without one is refused.
    """
    known = set(known)

    def star_names(source_module: str) -> Callable[[], list[str]]:
        def names() -> list[str]:
            names = literal_all((sources or {}).get(source_module, ""))
            if names is None:
                raise AssertionError(
                    f"{module}: 'from {source_module} import *' needs a literal __all__ "
                    f"in {source_module}, so that this test knows the names it takes"
                )
            return names
        return names

    tree = ast.parse(source)
    found: list[Import] = []
    bindings: dict[str, tuple[str, ast.stmt]] = {}  # local name -> module it stands for

    def text(node: ast.AST) -> str:
        words = " ".join((ast.get_source_segment(source, node) or ast.unparse(node)).split())
        return words if len(words) <= 100 else words[:97] + "..."

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(module, alias.name, None, node.lineno, text(node)))
                local = alias.asname or alias.name.split(".")[0]
                bound = alias.name if alias.asname else local
                if bound in known:
                    bindings[local] = (bound, node)
        elif isinstance(node, ast.ImportFrom):
            source_module = _absolute(module, is_package, node.level, node.module)
            for alias in _star_expanded(node.names, star_names(source_module)):
                found.append(Import(module, source_module, alias.name, node.lineno, text(node)))
                submodule = f"{source_module}.{alias.name}"
                if submodule in known:
                    bindings[alias.asname or alias.name] = (submodule, node)
        elif isinstance(node, ast.Call) and _is_import_module(node) and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names = [arg.value]
            elif (
                isinstance(arg, ast.JoinedStr) and arg.values
                and isinstance(arg.values[0], ast.Constant)
                and str(arg.values[0].value).endswith(".")
            ):
                prefix = str(arg.values[0].value)
                names = sorted(m for m in known if m.startswith(prefix))
            else:
                raise AssertionError(
                    f"{module} line {node.lineno}: {text(node)} imports a module this test "
                    "cannot name; give it a literal name (or an f-string with a literal package)"
                )
            found.extend(Import(module, name, None, node.lineno, text(node)) for name in names)

    # A name bound to a module: each ``name.attr`` use takes ``attr`` from that module.
    uses: dict[str, list[tuple[str | None, ast.expr]]] = {local: [] for local in bindings}
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            chain = _attribute_chain(node)
            value = node.value
            while isinstance(value, ast.Attribute):
                inner.add(id(value))
                value = value.value
            if chain and chain[0] in bindings:
                inner.add(id(value))
                uses[chain[0]].append((".".join(chain[1:]), node))
        elif isinstance(node, ast.Name) and node.id in bindings and id(node) not in inner:
            if isinstance(node.ctx, ast.Load):
                uses[node.id].append((None, node))
    for local, (bound, statement) in bindings.items():
        whole = not uses[local] or any(path is None for path, _ in uses[local])
        for path, node in uses[local]:
            if path is None:
                continue
            # al.nn.MLP takes MLP from autograd_lite.nn; the last attribute is a name even
            # where a submodule has the same name (nn.fit is the function fit).
            owner, *attributes = [bound, *path.split(".")]
            while len(attributes) > 1 and f"{owner}.{attributes[0]}" in known:
                owner = f"{owner}.{attributes.pop(0)}"
            found.append(Import(
                module, owner, attributes[0], node.lineno,
                f"{text(node)} (from {text(statement)}, line {statement.lineno})",
            ))
        if not whole:
            # Only attributes are used: they carry the dependency, not the facade.
            for i, imp in enumerate(found):
                if imp.line == statement.lineno and _names_binding(imp, bound):
                    found[i] = Import(imp.importer, imp.module, imp.name, imp.line, imp.text,
                                      edge=False)
    return found


def _names_binding(imp: Import, bound: str) -> bool:
    target = imp.module if imp.name is None else f"{imp.module}.{imp.name}"
    return target == bound


def read_sources() -> tuple[dict[str, str], set[str]]:
    modules: dict[str, str] = {}
    packages: set[str] = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
                packages.add(".".join(parts))
            modules[".".join(parts)] = path.read_text(encoding="utf-8")
    return modules, packages


def build(modules: Mapping[str, str], packages: set[str]) -> Project:
    project = Project(dict(modules), set(packages))
    for module, source in project.modules.items():
        project.imports[module] = read_imports(
            module, source, module in packages, project.modules, project.modules
        )
    reexports = {
        package: {
            imp.name: imp for imp in project.imports[package]
            if imp.name is not None and _at_top_level(project.modules[package], imp.line)
        }
        for package in packages
    }

    def resolve(module: str, name: str | None, depth: int = 0) -> str:
        """The module that defines ``name`` (facades are looked through)."""
        if name is None or depth > 20:
            return module
        if f"{module}.{name}" in project.modules:
            return f"{module}.{name}"
        if module in packages and name in reexports[module]:
            origin = reexports[module][name]
            return resolve(origin.module, origin.name, depth + 1)
        return module

    for module, found in project.imports.items():
        targets: dict[str, list[Import]] = {}
        for imp in found:
            if not imp.edge or imp.module not in project.modules:
                continue
            target = resolve(imp.module, imp.name)
            if target != module:
                targets.setdefault(target, []).append(imp)
        project.edges[module] = targets
    return project


@functools.cache
def _top_level_lines(source: str) -> frozenset[int]:
    return frozenset(node.lineno for node in ast.parse(source).body)


def _at_top_level(source: str, line: int) -> bool:
    return line in _top_level_lines(source)


# --------------------------------------------------------------------------- the checks

def public_names() -> dict[str, set[str]]:
    """Public module -> its public names: autograd_lite, autograd_lite.ops, and the modules
    named in autograd_lite.__all__."""
    al = importlib.import_module("autograd_lite")
    public = {"autograd_lite": set(al.__all__)}
    for module in ("autograd_lite.ops", *(
        f"autograd_lite.{name}" for name in al.__all__
        if isinstance(getattr(al, name), types.ModuleType)
    )):
        names = getattr(importlib.import_module(module), "__all__", None)
        assert names is not None, f"{module} is public (in autograd_lite.__all__): give it __all__"
        public[module] = set(names)
    return public


def private_imports(project: Project, public: Mapping[str, set[str]]) -> list[str]:
    problems = []
    for module, found in project.imports.items():
        if layer_of(module) in ("core", None) or module == "autograd_lite":
            continue  # the core and the front door itself define the public names
        for imp in found:
            inside = imp.module == "autograd_lite" or imp.module.startswith("autograd_lite.")
            if not inside or matches(imp.module, home_of(module)):
                continue
            if (module, imp.module, imp.name) in PRIVATE_IMPORTS_ALLOWED:
                continue
            if imp.module not in public:
                problems.append(
                    f"{imp.where()}: {imp.module} is not public; import "
                    f"{imp.name or 'it'} from autograd_lite or autograd_lite.ops "
                    "(add it to their __all__ if it should be public)"
                )
            elif (
                imp.name is not None and imp.name not in public[imp.module]
                and f"{imp.module}.{imp.name}" not in public
            ):
                problems.append(
                    f"{imp.where()}: {imp.name!r} is not in {imp.module}.__all__"
                )
    return problems


def cli_imports_in_visualize(project: Project) -> list[str]:
    problems = []
    for module, found in project.imports.items():
        if not matches(module, ("visualize.*",)):
            continue
        for imp in found:
            if matches(imp.module, CLI):
                problems.append(f"{imp.where()}: visualize imports the CLI ({imp.module})")
    for module, targets in project.edges.items():
        if matches(module, ("visualize.*",)):
            for target, imps in targets.items():
                if matches(target, CLI) and not any(matches(i.module, CLI) for i in imps):
                    problems.extend(
                        f"{i.where()}: visualize imports the CLI ({target})" for i in imps
                    )
    return problems


def strongly_connected(edges: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, with an explicit stack (no recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(edges.get(succ, ())))))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def circles(project: Project) -> list[set[str]]:
    return [c for c in strongly_connected(project.edges) if len(c) > 1]


def circle_problems(project: Project) -> list[str]:
    found = circles(project)
    problems = []
    for circle in found:
        if circle == DECLARED_CIRCLE:
            continue
        inside = dict.fromkeys(
            f"{imp.where()} -> {target}"
            for module in sorted(circle)
            for target, imps in sorted(project.edges[module].items()) if target in circle
            for imp in imps
        )
        problems.append(
            f"an import circle that is not DECLARED_CIRCLE: {', '.join(sorted(circle))}; "
            "its imports:\n    " + "\n    ".join(inside)
        )
    if DECLARED_CIRCLE not in found:
        problems.append(
            "DECLARED_CIRCLE (Tensor and its ops) is not an import circle as declared: "
            "update it to the circle found above, if any"
        )
    return problems


def back_up_imports(project: Project) -> list[str]:
    order = list(LAYERS)
    problems = []
    for module, targets in project.edges.items():
        for target, imps in targets.items():
            here, there = layer_of(module), layer_of(target)
            if here is None or there is None:
                continue  # reported by test_every_module_has_one_layer
            if order.index(there) > order.index(here):
                problems.extend(
                    f"{imp.where()}: {module} ({here}) imports {target} ({there}), which is "
                    "above it" for imp in imps
                )
    return list(dict.fromkeys(problems))


# --------------------------------------------------------------------------- the tests

@functools.cache
def project() -> Project:
    return build(*read_sources())


def _report(problems: list[str]) -> str:
    return "\n" + "\n".join(problems)


def test_every_module_has_one_layer():
    unplaced = [m for m in project().modules if layer_of(m) is None]
    assert not unplaced, "declare the layer of (exactly one in LAYERS): " + ", ".join(unplaced)


def test_above_the_core_only_public_names_are_imported():
    problems = private_imports(project(), public_names())
    assert not problems, _report(problems)


def test_visualize_does_not_import_the_cli():
    problems = cli_imports_in_visualize(project())
    assert not problems, _report(problems)


def test_the_only_import_circle_is_the_declared_one():
    problems = circle_problems(project())
    assert not problems, _report(problems)


def test_no_import_runs_back_up_the_layers():
    problems = back_up_imports(project())
    assert not problems, _report(problems)


def test_every_allowed_private_import_is_still_there():
    present = {
        (imp.importer, imp.module, imp.name)
        for found in project().imports.values() for imp in found
    }
    stale = [f"{key}: {why}" for key, why in PRIVATE_IMPORTS_ALLOWED.items() if key not in present]
    assert not stale, "remove from PRIVATE_IMPORTS_ALLOWED: " + "; ".join(stale)


# --------------------------------------------------------------------------- the checks fail

def test_the_reader_sees_every_kind_of_import():
    source = (
        "from __future__ import annotations\n"
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "import autograd_lite as al\n"
        "from . import sibling\n"
        "if TYPE_CHECKING:\n"
        "    from autograd_lite.nn.module import Module\n"
        "def f():\n"
        "    from autograd_lite.engine import gradients\n"
        "    importlib.import_module(f'autograd_lite.commands.{name}')\n"
        "    return al.sigmoid, al.nn.MLP, sibling.thing\n"
    )
    known = {"autograd_lite", "autograd_lite.nn", "autograd_lite.nn.module", "autograd_lite.engine",
             "autograd_lite.commands", "autograd_lite.commands.graph", "pkg", "pkg.sibling"}
    found = {(i.module, i.name, i.edge) for i in read_imports("pkg.mod", source, False, known)}
    assert found >= {
        ("autograd_lite", None, False),  # used only as al.attr
        ("autograd_lite", "sigmoid", True),
        ("autograd_lite.nn", "MLP", True),
        ("pkg", "sibling", False),  # used only as sibling.attr
        ("pkg.sibling", "thing", True),
        ("autograd_lite.nn.module", "Module", True),
        ("autograd_lite.engine", "gradients", True),
        ("autograd_lite.commands.graph", None, True),
    }, found


# One bad import added to a real module, and the check that must name it.
MUTATIONS = {
    "private op module": (
        "visualize.plots", "from autograd_lite.ops.base import constant", private_imports,
    ),
    "name not in ops.__all__": (
        "autograd_lite.nn.fit", "from autograd_lite.ops import _no_such_name", private_imports,
    ),
    "private attribute of the package": (
        "autograd_lite.optim", "import autograd_lite as al\nal.engine.backward", private_imports,
    ),
    "visualize imports the CLI": (
        "visualize.network", "from autograd_lite.expression import parse_expression",
        cli_imports_in_visualize,
    ),
    "a new circle": (
        "autograd_lite.nn.module", "def f():\n    from autograd_lite.nn.layers import Dense",
        circle_problems,
    ),
    "a circle behind TYPE_CHECKING": (
        "visualize.dot_program",
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from visualize.render import render",
        circle_problems,
    ),
    "an import back up": (
        "autograd_lite.optim", "from visualize.graph import format_number", back_up_imports,
    ),
}


@pytest.mark.parametrize("case", list(MUTATIONS))
def test_each_check_names_a_bad_import(case):
    module, line, check = MUTATIONS[case]
    modules, packages = read_sources()
    modules[module] += "\n" + line + "\n"
    extra = (public_names(),) if check is private_imports else ()
    assert not check(project(), *extra), "the real tree must pass first"
    problems = check(build(modules, packages), *extra)
    assert problems and all(module in p for p in problems), problems


def test_a_star_import_takes_the_names_of_the_literal_all():
    sources = {"pkg.fam": '__all__ = ["f", "g"]\n\ndef f(): ...\ndef g(): ...\n'}
    star = "from pkg.fam import *\n"
    found = {(i.module, i.name) for i in read_imports("pkg", star, True, {"pkg.fam"}, sources)}
    assert found == {("pkg.fam", "f"), ("pkg.fam", "g")}
    # The facade is looked through: importing f from pkg depends on pkg.fam.
    facade = build({"pkg": star, "pkg.fam": sources["pkg.fam"],
                    "pkg.user": "from pkg import f\n"}, {"pkg"})
    assert set(facade.edges["pkg.user"]) == {"pkg.fam"}
    with pytest.raises(AssertionError, match="needs a literal __all__"):
        read_imports("pkg", star, True, {"pkg.fam"}, {"pkg.fam": "def f(): ...\n"})
