"""The shape of the code (issue 11): data flows one way — pages import queries, never the
reverse; inside queries each layer imports only the layers beneath it (docs/architecture.md);
no import loop among the modules; no module of pages/ or queries/ over 400 lines.
Read from the source, so a new module is checked without listing it."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
# queries/ bottom to top. The modules at the top of the package are the base (db, config,
# periods, dimensions, …) except the entry points, which sit over everything.
LAYERS = ["base", "ingest", "metrics", "research", "outputs", "entry"]
ENTRY_POINTS = {"queries.cli", "queries.cli_accountability", "queries.cli_research", "queries.__main__"}


def modules() -> dict[str, Path]:
    found = {}
    for path in [*(ROOT / "queries").rglob("*.py"), *(ROOT / "pages").glob("*.py")]:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, at any depth of its code (a lazy import is still one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c in known and c != name}
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import loop, as the modules along it, or None."""
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def layer(module: str) -> str:
    parts = module.split(".")
    if module in ENTRY_POINTS or parts[1:2] == ["demo"]:
        return "entry"
    return parts[1] if len(parts) > 2 else "base"


def upward(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from a queries module into a layer above its own."""
    rank = {name: index for index, name in enumerate(LAYERS)}
    return sorted((source, target) for source, targets in edges.items() if source.startswith("queries.")
                  for target in targets if target.startswith("queries.")
                  and rank[layer(target)] > rank[layer(source)])


def test_the_layer_check_sees_an_import_upward():
    edges = {"queries.db": {"queries.metrics.engine"}, "queries.metrics.engine": {"queries.db"},
             "queries.outputs.deck": {"queries.research.paths", "queries.cli"}}
    assert upward(edges) == [("queries.db", "queries.metrics.engine"), ("queries.outputs.deck", "queries.cli")]


def test_each_layer_imports_only_the_layers_beneath_it():
    assert set(LAYERS[:-1]) >= {layer(name) for name in modules() if name.startswith("queries.")} - {"entry"}
    assert upward(graph()) == []


def test_the_finder_sees_a_loop():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_loop():
    assert cycle(graph()) is None


def test_queries_never_imports_pages_or_streamlit():
    for name, path in modules().items():
        if name.startswith("queries"):
            text = path.read_text(encoding="utf-8")
            assert "import streamlit" not in text and "from pages" not in text, name
            assert not {t for t in imports(name, path, set(modules())) if t.startswith("pages")}, name


def test_modules_stay_small():
    long = {str(path.relative_to(ROOT)): n for path in modules().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
