"""The `modelchoice eval` command, registered through the `modelchoice.commands` entry point."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assistant.cli_options import llm_option
from assistant.settings import configure


@click.command("eval")
@click.option(
    "--suite",
    "suites",
    multiple=True,
    metavar="NAME",
    help="decisions, scenarios, conversations, generated, adversarial, retrieval, retrieval-ru, extraction, "
    "understanding (repeatable; default: all).",
)
@llm_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("eval-out"),
    show_default=True,
    help="Where results.jsonl, summary.json, report.md and report.html go.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A previous summary.json; regressions beyond the tolerance fail the run.",
)
@click.option(
    "--repeat",
    type=click.IntRange(1, 50),
    default=1,
    show_default=True,
    help="Run conversational cases N times (for nondeterministic LLMs); reports pass rate per case.",
)
@click.option(
    "--diff-rules",
    nargs=2,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    metavar="OLD NEW",
    help="List the cases whose recommendation changes between two rule files.",
)
def eval_command(
    suites: tuple[str, ...],
    llm: str | None,
    out: Path,
    baseline: Path | None,
    repeat: int,
    diff_rules: tuple[Path, Path] | None,
) -> None:
    """Check answers against the rules; exits non-zero when a gate fails."""
    from .runner import SUITES

    settings = configure(llm=llm)
    if diff_rules:
        from .diff_rules import diff_rules as diff

        changes = diff(diff_rules[0], diff_rules[1], settings)
        for change in changes:
            click.echo(f"{change['case']}: {change['old']} -> {change['new']}")
        click.echo(f"{len(changes)} cases change recommendation")
        return
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        raise click.BadParameter(
            f"unknown suite {unknown[0]!r}; choose from {', '.join(SUITES)}", param_hint="--suite"
        )
    from assistant.progress import Progress

    from .report import gates, write_all
    from .runner import Runner

    runner = Runner(settings, repeat=repeat, progress=Progress().update)
    summary = runner.run(suites or SUITES)
    previous = json.loads(baseline.read_text()) if baseline else None
    failures = gates(summary, previous)
    write_all(out, summary, runner.results, previous, failures)
    click.echo(Path(out / "report.md").read_text().split("## Failed cases")[0].rstrip())
    click.echo(f"\nreports in {out}/")
    if failures:
        sys.exit(1)
