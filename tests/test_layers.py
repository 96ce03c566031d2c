"""Imports point one way: the kernel below the stages, an earlier stage below a
later one, and no cycle between packages. Read from the source (every import
statement, including those inside functions), so nothing is imported to check."""
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: a module may import its own layer and the layers before it.
LAYERS = ("config", "nlp", "app", "ideas", "voting.judging", "voting.ballots", "voting.notice",
          "voting.certificates", "voting.reports", "ops")
# The factory and the table registry wire every package together; nothing imports them
# except the worker, which builds apps for RQ jobs and CLI runs.
WIRING = {"app", "app.models"}
MAY_IMPORT_WIRING = {"app.worker"}


def _modules():
    for top in ("app", "ideas", "voting", "nlp", "ops"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path
    yield "config", ROOT / "config.py"


def _imports(path, module):
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + [base]).strip(".")
            # "from voting.judging import queries" imports the submodule; "from app import x", the package.
            yield from ((f"{base}.{alias.name}", base) for alias in node.names)


def _graph():
    modules = dict(_modules())
    edges = defaultdict(set)
    for module, path in modules.items():
        for name, fallback in _imports(path, module):
            if name not in modules:
                name = fallback
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                edges[module].add(name)
    return modules, edges


def _layer(module):
    return max((n for n, layer in enumerate(LAYERS) if module == layer or module.startswith(layer + ".")),
               key=lambda n: len(LAYERS[n]))


def test_imports_point_down_the_layers():
    _, edges = _graph()
    upward = []
    for source, targets in edges.items():
        for target in targets:
            if target in WIRING:
                if source not in WIRING | MAY_IMPORT_WIRING:
                    upward.append(f"{source} → {target}（只有工厂和 app.worker 可以构建应用）")
            elif source not in WIRING and _layer(target) > _layer(source):
                upward.append(f"{source}（{LAYERS[_layer(source)]}）→ {target}（{LAYERS[_layer(target)]}）")
    assert not upward, "下层导入了上层：\n" + "\n".join(sorted(upward))


def _package(module, modules):
    return module if (ROOT / module.replace(".", "/") / "__init__.py").exists() else module.rpartition(".")[0]


def test_no_cycle_between_packages():
    modules, edges = _graph()
    packages = defaultdict(set)
    for source, targets in edges.items():
        if source in WIRING | MAY_IMPORT_WIRING:
            continue
        for target in targets:
            a, b = _package(source, modules), _package(target, modules)
            if a != b:
                packages[a].add(b)
    cycles = []
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(packages[node]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for package in sorted(packages):
        if package not in state:
            visit(package, [package])
    assert not cycles, "包之间有循环导入：\n" + "\n".join(cycles)
