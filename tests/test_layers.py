"""The packages form layers: each imports only packages below it, so there is no import cycle to dodge with a lazy
import. Read from the source with `ast` (imports inside functions count too), not from what happens to be imported.

Domains talk upwards through mentorship/events.py instead: a lower one announces, a higher one reacts.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A package may import the packages of earlier lines only; those on one line not each other.
LAYERS = [
    ("errors", "config", "events"),
    ("common",),
    ("extensions",),
    ("database",),
    ("tenancy",),  # tenants, keys, credentials, scope, policy, the audit log, Idempotency-Key records
    ("jobs", "ops"),
    ("members",),
    ("notifications",),
    ("scheduling",),
    ("mentorships",),
    ("outreach",),
    ("referrals", "matchmaking"),
    ("webhooks",),  # the outbox of SPEC §10's events: shows each changed object as its domain's API does
    ("reports",),
    ("web",),  # server-rendered pages: over every domain's operations, as the API's views are
    ("apidoc",),  # the generic parts of /openapi.json, read from every endpoint (tenancy.access: its @allow)
    ("demo", "models"),
    ("cli",),
    ("",),  # mentorship/__init__.py: create_app wires everything
]
LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}
PURE_LIBRARIES = ("matching", "coach")  # importable alone: neither the service, nor Flask, nor SQLAlchemy


def _module(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name):
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path, text=None):
    """(imported module, line) for every import statement in the file (or `text` as that file), wherever it is."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text() if text is None else text, str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                name = f"{base}.{alias.name}"
                yield (name if _is_module(name) else base), node.lineno


def _files(package):
    return sorted((ROOT / package).rglob("*.py"))


def _package_of(module):
    """mentorship.outreach.capacity -> "outreach"; mentorship.errors -> "errors"; mentorship -> ""."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _upward_imports(edited=None):
    """Every import of a package from a package not above it; `edited`: {path: text} read instead of the files."""
    found, edited = [], edited or {}
    for path in _files("mentorship"):
        source = _package_of(_module(path))
        for target, line in _imports(path, edited.get(path)):
            if target.split(".")[0] != "mentorship" or _package_of(target) == source:
                continue
            if LEVEL[_package_of(target)] >= LEVEL[source]:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {target} "
                             f"({source or 'mentorship'} may import only lower layers)")
    return found


def test_every_package_has_a_layer():
    packages = {_package_of(_module(path)) for path in _files("mentorship")}
    assert packages <= set(LEVEL), f"add to LAYERS: {sorted(packages - set(LEVEL))}"


def test_packages_import_only_lower_layers():
    assert _upward_imports() == []


def _cycles(graph):
    """Every cycle's nodes (Tarjan's strongly connected components of more than one node, or a self-loop)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while not component or node not in component:
                component.add(stack.pop())
            on_stack.difference_update(component)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _allowed_pair(a, b):
    """A job module and its enqueuer inside one package may import each other."""
    return a.rpartition(".")[2] == "tasks" or b.rpartition(".")[2] == "tasks"


@pytest.mark.parametrize("library", ["mentorship", *PURE_LIBRARIES])
def test_no_import_cycle_between_modules(library):
    graph = {}
    for path in _files(library):
        source = _module(path)
        for target, _ in _imports(path):
            if target.split(".")[0] == library and target != source and not source.startswith(target + "."):
                graph.setdefault(source, set()).add(target)
    for a in list(graph):
        graph[a] = {b for b in graph[a] if not (a in graph.get(b, ()) and _allowed_pair(a, b))}
    assert _cycles(graph) == []


@pytest.mark.parametrize("library", PURE_LIBRARIES)
def test_pure_libraries_import_neither_the_service_nor_flask_nor_sqlalchemy(library):
    found = [f"{path.relative_to(ROOT)}:{line} imports {target}" for path in _files(library)
             for target, line in _imports(path) if target.split(".")[0] in {"mentorship", "flask", "sqlalchemy"}]
    assert found == []


def test_the_check_sees_an_upward_import():
    """The walk itself: an import of a higher layer, even inside a function, is reported."""
    members = ROOT / "mentorship" / "members" / "operations.py"
    sneaky = members.read_text() + "\n\ndef _sneaky():\n    from mentorship.outreach import capacity\n"
    assert [line for line in _upward_imports({members: sneaky}) if "members/operations.py" in line] == [
        f"mentorship/members/operations.py:{sneaky.count(chr(10))} imports mentorship.outreach.capacity "
        "(members may import only lower layers)"]


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
