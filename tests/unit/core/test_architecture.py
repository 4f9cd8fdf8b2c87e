"""The package's shape, pinned: the public API, one-way imports, small modules with a stated concern."""

import ast
from pathlib import Path

from support.paths import ROOT

import assistant

CORE = ROOT / "assistant"
FRONT_ENDS = {"assistant.ui": ROOT / "ui", "assistant.evals": ROOT / "evals"}
MAX_LINES = 400

PUBLIC_API = [
    "FIELDS",
    "Answer",
    "AnswerContext",
    "Citation",
    "Confidence",
    "Conversation",
    "Counterfactual",
    "Decision",
    "EmbeddingConfigError",
    "FactSource",
    "Finding",
    "FiredRule",
    "GuardAction",
    "GuardAttempt",
    "GuardRecord",
    "InputFileError",
    "Intent",
    "KnowledgeError",
    "LLMError",
    "LLMErrorKind",
    "MemoryRetriever",
    "ModelchoiceError",
    "Option",
    "OutputError",
    "PassageRef",
    "Profile",
    "ProfileError",
    "Reply",
    "RetrievalError",
    "Retriever",
    "RulesError",
    "Session",
    "SessionError",
    "Settings",
    "SettingsError",
    "Turn",
    "TurnContext",
    "Understander",
    "Value",
    "WhatIf",
    "Writer",
    "decide",
]


def _modules(package: str, folder: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([package, *parts])] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules that `name` imports anywhere (top level or inside functions: a lazy import is
    still a dependency)."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            root = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join([*root, *([node.module] if node.module else [])])
            targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules("assistant", CORE)
    for package, folder in FRONT_ENDS.items():
        modules.update(_modules(package, folder))
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def test_the_public_api_is_pinned():
    assert assistant.__all__ == PUBLIC_API
    for name in PUBLIC_API:
        assert getattr(assistant, name) is not None


def test_the_core_never_imports_a_front_end():
    for module, deps in _graph().items():
        if module.startswith(tuple(FRONT_ENDS)):
            continue
        assert not {d for d in deps if d.startswith(tuple(FRONT_ENDS))}, module


def test_the_shared_types_and_errors_depend_on_nothing_in_the_project():
    graph = _graph()
    for module, deps in graph.items():
        if module == "assistant.types" or module.startswith("assistant.types."):
            assert all(d.startswith("assistant.types") for d in deps), (module, deps)
    assert graph["assistant.errors"] == set()


def test_the_import_graph_has_no_cycles():
    """Package `__init__` files only re-export, so they are left out: a cycle through one is not real."""
    graph = {m: {d for d in deps if not _is_package(d)} for m, deps in _graph().items() if not _is_package(m)}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def _is_package(name: str) -> bool:
    folder = CORE.parent / Path(*name.split("."))
    front = next((f for p, f in FRONT_ENDS.items() if name == p), None)
    return (folder / "__init__.py").is_file() or front is not None


def test_every_module_is_small_and_states_its_concern():
    for name, path in _modules("assistant", CORE).items():
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (limit {MAX_LINES})"
        if lines > 5:
            assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{name}: no docstring"


def test_the_wheel_lists_every_subpackage():
    """setuptools installs only the packages pyproject names; a forgotten one breaks the wheel, not the
    checkout (scripts/wheel-smoke catches that too, but only in CI)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapped = {package: ROOT / folder for package, folder in config["package-dir"].items()}
    for package, folder in mapped.items():
        for init in folder.rglob("__init__.py"):
            sub = init.parent.relative_to(folder).parts
            assert ".".join([package, *sub]) in listed, f"{init.parent} is not in pyproject's packages"


def test_nothing_imports_the_front_ends_by_their_folder_names():
    """`ui` and `evals` are folders in the repository but `assistant.ui` / `assistant.evals` once installed:
    importing them by folder name works only from the checkout's root, and loads a second copy."""
    for folder in ("assistant", "ui", "evals", "tests", "benchmarks", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and not node.level
                    else []
                )
                for name in names:
                    assert name.split(".")[0] not in {"ui", "evals"}, (
                        f"{path.relative_to(ROOT)} imports {name}"
                    )
