"""Dependencies point one way, down (DESIGN.md §4): a module never imports a higher layer."""

from __future__ import annotations

import ast
from pathlib import Path

import cmpub

PACKAGE = Path(cmpub.__file__).parent

#: Layer of each module (by dotted prefix; the longest prefix wins).
LAYERS = {
    "cmpub": 0,
    "cmpub.model": 0,
    "cmpub.platforms": 0,
    "cmpub.read": 1,
    "cmpub.render": 2,
    "cmpub.build": 3,
    "cmpub.theme": 3,
    "cmpub.deploy": 4,
    "cmpub.cli": 5,
    "cmpub.__main__": 5,
}


def layer_of(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def imports(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return [(line, name) for line, name in found if name == "cmpub" or name.startswith("cmpub.")]


def test_every_module_has_a_layer() -> None:
    for module, _ in modules():
        assert layer_of(module) is not None, module


def test_no_upward_import() -> None:
    bad = []
    for module, path in modules():
        mine = layer_of(module)
        for line, name in imports(path, module):
            if name == "cmpub":
                continue
            if layer_of(name) > mine:
                bad.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {module} (L{mine}) imports "
                    f"{name} (L{layer_of(name)})"
                )
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_only_the_cli_prints_or_reads_the_environment() -> None:
    bad = []
    for module, path in modules():
        if layer_of(module) == 5:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                bad.append(f"{module}:{node.lineno}: print()")
            if isinstance(node, ast.Attribute) and node.attr == "environ":
                bad.append(f"{module}:{node.lineno}: os.environ")
    assert not bad, "\n".join(bad)
