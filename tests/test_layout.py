"""The house rules, read from the imports: stages import only stages below them; index/ never imports
bot/ or discord; bot/ uses the library through index.service, index.models and index.errors only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the floors of index/: a module may import its own floor and those below
FLOORS = {
    "index.normalize": 0, "index.errors": 0, "index.durable": 1, "index.models": 1, "index.text": 2, "index.sources": 3,
    "index.embedding": 3, "index.store": 4, "index.ingest": 5, "index.search": 5, "index.service": 6,
}
BOT_MAY_USE = {"index.service", "index.models", "index.errors"}


def imports(path: Path, package: str) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved against ``package``)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                out.add(".".join([*base, node.module] if node.module else base))
            else:
                out.add(node.module or "")
    return out


def modules(top: str):
    for path in sorted((ROOT / top).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        package = ".".join(parts if parts[-1] == "__init__" else parts[:-1])
        yield path, ".".join(p for p in parts if p != "__init__"), package


def floor(name: str) -> int | None:
    return next((f for prefix, f in FLOORS.items() if name == prefix or name.startswith(prefix + ".")), None)


def test_index_stages_import_only_downwards():
    wrong = []
    for path, name, package in modules("index"):
        own = floor(name)
        for imp in imports(path, package):
            if imp.split(".")[0] in ("bot", "discord"):
                wrong.append(f"{name} imports {imp}")
            target = floor(imp)
            if own is not None and target is not None and target > own:
                wrong.append(f"{name} (floor {own}) imports {imp} (floor {target})")
            if own is not None and target is not None and target == own and name.split(".")[:2] != imp.split(".")[:2]:
                wrong.append(f"{name} imports its sibling stage {imp}")
    assert wrong == []


def test_bot_uses_the_library_through_its_door():
    wrong = [f"{name} imports {imp}" for path, name, package in modules("bot")
             for imp in imports(path, package) if imp.split(".")[0] == "index" and imp not in BOT_MAY_USE]
    assert wrong == []


def test_every_index_module_has_a_floor():
    assert [name for _, name, _ in modules("index") if name != "index" and floor(name) is None] == []
