"""Check the house rules of seqconv's layout; exit 1 when one is broken (CI runs this).

Prints:

* import cycles between seqconv modules, counting imports inside functions (0 allowed);
* modules of the inference side (``core``, ``rundir``, ``runs``, ``motifs``, ``rf``) that import
  ``seqconv.train``, and modules of ``core`` or ``rundir`` that import a package above them (0);
* the largest module (at most 500 lines);
* the modules that write ``config.json`` (1: ``seqconv/rundir/__init__.py``).

Importing ``seqconv.a.b`` also runs ``seqconv/a/__init__.py``; those implicit edges are not
counted (every package would close a cycle through ``seqconv/__init__.py``), explicit ones are.

Usage: ``python scripts/check_structure.py [--root seqconv]``
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

INFERENCE = ("seqconv.core", "seqconv.rundir", "seqconv.runs", "seqconv.motifs", "seqconv.rf")
BELOW = {
    "seqconv.core": ("seqconv.rundir", "seqconv.runs", "seqconv.motifs", "seqconv.train"),
    "seqconv.rundir": ("seqconv.runs", "seqconv.motifs", "seqconv.train"),
}
"""What training and inference share (``core``) and the run directory (``rundir``) sit below the
runs, the motifs and training: they import none of them."""
MAX_LINES = 500


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(tree: ast.AST, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The seqconv modules a module imports, anywhere in its body."""
    found: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base]
            # `from pkg import sub` imports the submodule pkg.sub
            targets += [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target in modules and target != name:
                found.add(target)
    return found


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each a cycle group."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def writes_config(tree: ast.AST) -> bool:
    """Whether a module calls a writer with ``config.json`` (or a ``CONFIG`` constant) as path."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if not called.startswith(("write", "dump", "save")):
                continue
            text = ast.unparse(node.args[0])
            if "CONFIG" in text or "config.json" in text:
                return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).parents[1] / "seqconv")
    root = parser.parse_args().root.resolve()
    files = sorted(root.rglob("*.py"))
    names = {module_name(f, root): f for f in files}
    modules = set(names)
    trees = {name: ast.parse(path.read_text(), str(path)) for name, path in names.items()}
    graph = {
        name: imported_modules(tree, name, names[name].name == "__init__.py", modules)
        for name, tree in trees.items()
    }

    cycles = find_cycles(graph)
    inference = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.startswith(INFERENCE)
        for target in targets
        if target == "seqconv.train" or target.startswith("seqconv.train.")
    )
    upward = sorted(
        f"{name} -> {target}"
        for lower, uppers in BELOW.items()
        for name, targets in graph.items()
        if name == lower or name.startswith(lower + ".")
        for target in targets
        if any(target == up or target.startswith(up + ".") for up in uppers)
    )
    lines = {name: len(path.read_text().splitlines()) for name, path in names.items()}
    largest = max(lines, key=lines.get)
    writers = sorted(name for name, tree in trees.items() if writes_config(tree))

    print(f"modules: {len(modules)}, lines: {sum(lines.values()):,}")
    print(f"import cycles: {len(cycles)}")
    for group in cycles:
        print("  " + " <-> ".join(group))
    print(f"inference-side modules importing seqconv.train: {len(inference)}")
    for edge in inference:
        print("  " + edge)
    print(f"core/rundir modules importing a package above them: {len(upward)}")
    for edge in upward:
        print("  " + edge)
    print(f"largest module: {names[largest].relative_to(root.parent)} ({lines[largest]} lines)")
    print(f"modules writing config.json: {len(writers)} ({', '.join(writers)})")
    ok = (
        not cycles
        and not inference
        and not upward
        and lines[largest] <= MAX_LINES
        and len(writers) == 1
    )
    print("structure: ok" if ok else "structure: BROKEN")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
