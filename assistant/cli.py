"""`modelchoice`: a thin click CLI over the library. Heavy imports stay inside the commands that need them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .knowledge import KnowledgeError
from .profile import FIELDS, Profile, ProfileError, format_value
from .retrieval import RETRIEVAL_METHODS, RetrievalError
from .rules import RulesError
from .session import SessionError
from .settings import SettingsError, configure

USER_ERRORS: tuple[type[Exception], ...] = (
    ProfileError,
    RulesError,
    KnowledgeError,
    SettingsError,
    SessionError,
)
USER_ERRORS += (RetrievalError,)  # retrieval: bad query, embedding-model mismatch, unreachable server


class Group(click.Group):
    """Turns known bad-input errors into one clear message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


def _knowledge_option(function: Any) -> Any:
    """Works before and after the command: `modelchoice --knowledge D ask` or `... ingest --knowledge D`."""
    return click.option(
        "--knowledge",
        "knowledge_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Extra knowledge directory (repeatable; adds to MODELCHOICE_KNOWLEDGE).",
    )(function)


def _extra_knowledge(knowledge_dirs: tuple[Path, ...]) -> tuple[Path, ...] | None:
    """Extra directories from a flag add to those already configured; None leaves the settings alone."""
    from .settings import DEFAULT_KNOWLEDGE, get_settings

    if not knowledge_dirs:
        return None
    configured = (d for d in get_settings().knowledge_dirs if d != DEFAULT_KNOWLEDGE)
    return tuple(dict.fromkeys((*configured, *knowledge_dirs)))


@click.group(cls=Group)
@click.version_option(package_name="modelchoice")
@click.option(
    "--rules", "rules_file", type=click.Path(path_type=Path), help="Rules file (MODELCHOICE_RULES)."
)
@_knowledge_option
def main(rules_file: Path | None, knowledge_dirs: tuple[Path, ...]) -> None:
    """Foundation model, custom model or hybrid? A rules engine decides; answers cite the guidance."""
    configure(rules_file=rules_file, knowledge_dirs=_extra_knowledge(knowledge_dirs))


def _read_profile(source: str | None) -> Profile:
    from .profile import load_profile

    if source is None:
        profile = Profile()
    elif source == "-":
        profile = load_profile(sys.stdin.read(), "stdin")
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ProfileError(f"{source}: cannot read the profile file ({exc.strerror or exc})") from None
        profile = load_profile(text, source)
    return profile


@main.command()
@click.argument("profile_file", required=False)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Override one profile field (repeatable); VALUE 'unknown' clears it.",
)
@click.option("--text", "description", help="Describe the project in words; its facts fill the profile.")
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object.")
def recommend(
    profile_file: str | None, assignments: tuple[str, ...], description: str | None, as_json: bool
) -> None:
    """Decide for a profile (YAML/JSON file, or - for stdin)."""
    from .engine import decide

    profile = _read_profile(profile_file)
    extracted = None
    if description is not None:
        from .extract import RuleBasedUnderstander

        extracted = RuleBasedUnderstander().understand(description)
        profile = profile.with_changes(dict(extracted.changes))
    profile = profile.with_changes(profile.parse_assignments(assignments))
    decision = decide(profile)
    if as_json:
        data = decision.to_dict()
        if extracted is not None:
            data["profile"] = profile.to_dict()
            data["turn"] = extracted.to_dict()
        click.echo(json.dumps(data, indent=2))
        return
    from .render import decision_text

    click.echo(decision_text(decision))


def _conversation(llm: str | None) -> Any:
    from .conversation import Conversation

    return Conversation(configure(llm=llm))


def _session_option(function: Any) -> Any:
    return click.option(
        "--session",
        "session_file",
        type=click.Path(path_type=Path),
        help="JSON file holding the conversation; created if missing, saved after each turn.",
    )(function)


def _llm_option(function: Any) -> Any:
    return click.option(
        "--llm",
        type=click.Choice(["none", "local", "openai"]),
        help="Who writes the explanation (MODELCHOICE_LLM; default none: offline, deterministic).",
    )(function)


@main.command()
@click.argument("text")
@_session_option
@_llm_option
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object.")
def ask(text: str, session_file: Path | None, llm: str | None, as_json: bool) -> None:
    """One chat turn: describe the project, ask why, what if..., or about a concept."""
    from .session import Session

    session = Session.load(session_file) if session_file else Session()
    conversation = _conversation(llm)
    reply = conversation.respond(session, text) if as_json else _stream_reply(conversation, session, text)
    if session_file:
        session.save(session_file)
    if as_json:
        click.echo(json.dumps(reply.to_dict(), indent=2))


def _stream_reply(conversation: Any, session: Any, text: str) -> Any:
    """Print the answer as it is written (an LLM streams it); a withdrawn partial answer is marked, never
    silently swapped. Notices not already in the answer go to stderr, one line each."""
    shown, reply = "", None
    for event in conversation.stream(session, text):
        if not isinstance(event, str):
            reply = event
            continue
        if event.startswith(shown):
            click.echo(event[len(shown) :], nl=False)
        else:
            click.echo(f"\n\n[the text above was withdrawn; the checked answer follows]\n\n{event}", nl=False)
        shown = event
    assert reply is not None
    if reply.answer != shown:
        click.echo(
            f"\n\n[the text above was withdrawn; the checked answer follows]\n\n{reply.answer}"
            if shown
            else reply.answer,
            nl=False,
        )
    click.echo()
    for notice in (reply.notice or "").split("; "):
        if notice and notice not in reply.answer:
            click.echo(notice, err=True)
    return reply


@main.command()
@_session_option
@_llm_option
def chat(session_file: Path | None, llm: str | None) -> None:
    """A conversation in the terminal (Ctrl-D or 'quit' to leave)."""
    from .session import Session

    session = Session.load(session_file) if session_file else Session()
    conversation = _conversation(llm)
    click.secho("modelchoice: foundation model, custom model or hybrid? Describe your project.", bold=True)
    while True:
        try:
            text = click.prompt(
                click.style("you", fg="cyan"), prompt_suffix="> ", default="", show_default=False
            )
        except (EOFError, click.Abort):
            click.echo()
            break
        if text.strip().lower() in {"quit", "exit", ":q"}:
            break
        if not text.strip():
            continue
        click.echo(f"{click.style('modelchoice', fg='green')}> ", nl=False)
        _stream_reply(conversation, session, text)
        click.echo()
        if session_file:
            session.save(session_file)


@main.command()
@click.option(
    "--session",
    "session_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="A session saved by `ask --session` or `chat --session`.",
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
def record(session_file: Path, out: Path | None) -> None:
    """Write the session's decision as a Markdown decision record."""
    from .knowledge import section_index
    from .record import decision_record
    from .session import Session
    from .settings import get_settings

    text = decision_record(Session.load(session_file), section_index(get_settings().knowledge_dirs))
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(text)


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind. The default is this machine only; 0.0.0.0 opens it to your network.",
)
@click.option(
    "--port",
    default=7860,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: the first free one from 7860).",
)
@_llm_option
@click.option(
    "--auth",
    metavar="USER:PASS",
    envvar="MODELCHOICE_UI_AUTH",
    help="Require this login (MODELCHOICE_UI_AUTH keeps it out of the process list).",
)
def ui(host: str, port: int, llm: str | None, auth: str | None) -> None:
    """Start the web app: the chat beside the profile, the recommendation and its reasons."""
    credentials = None
    if auth is not None:
        user, sep, password = auth.partition(":")
        if not (sep and user and password):
            raise click.BadParameter("expected USER:PASS", param_hint="--auth")
        credentials = (user, password)
    if host not in {"127.0.0.1", "localhost", "::1"} and credentials is None:
        click.secho(
            f"warning: serving on {host} without --auth: anyone who can reach it can use it",
            fg="yellow",
            err=True,
        )
    from ui.app import launch

    launch(_conversation(llm), host=host, port=port or None, auth=credentials)


def _retrieval_settings(
    data_dir: Path | None, chroma_url: str | None, knowledge_dirs: tuple[Path, ...] = ()
) -> Any:
    """Settings for ingest/search: flags on top of env and the top-level options."""
    extra = _extra_knowledge(knowledge_dirs)
    return configure(data_dir=data_dir, chroma_url=chroma_url, knowledge_dirs=extra)


def _store_options(function: Any) -> Any:
    function = click.option(
        "--chroma-url",
        help="Use a Chroma server, e.g. http://127.0.0.1:8001 "
        "(MODELCHOICE_CHROMA_URL); default: a local store in the data dir.",
    )(function)
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Where the local Chroma store lives (MODELCHOICE_DATA_DIR).",
    )(function)


@main.command()
@_knowledge_option
@click.option(
    "--rebuild",
    is_flag=True,
    help="Drop the collection and embed everything again (needed after changing the embedding model).",
)
@_store_options
@click.option("--json", "as_json", is_flag=True, help="Print the ingest report as one JSON object.")
def ingest(
    knowledge_dirs: tuple[Path, ...],
    rebuild: bool,
    data_dir: Path | None,
    chroma_url: str | None,
    as_json: bool,
) -> None:
    """Sync the knowledge base into Chroma: new and changed chunks are embedded, unchanged ones skipped,
    removed ones deleted. Afterwards the store holds exactly the configured knowledge directories."""
    settings = _retrieval_settings(data_dir, chroma_url, knowledge_dirs)
    from .retrieval import Retriever

    report = Retriever(settings).ingest(rebuild=rebuild)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.summary())


@main.command()
@click.argument("query")
@click.option(
    "--k", "k", type=click.IntRange(1, 100), default=4, show_default=True, help="Passages to return."
)
@click.option(
    "--method",
    type=click.Choice(RETRIEVAL_METHODS),
    help="Ranking: fusion (dense + BM25), dense or bm25 (default: MODELCHOICE_RETRIEVAL, fusion).",
)
@_store_options
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON list of {id, section, title, source, score, text}."
)
def search(
    query: str, k: int, method: str | None, data_dir: Path | None, chroma_url: str | None, as_json: bool
) -> None:
    """Search the knowledge base (the store is built on first use)."""
    settings = _retrieval_settings(data_dir, chroma_url)
    from .retrieval import get_retriever

    passages = get_retriever(settings).search(query, k, method=method)
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in passages], indent=2, ensure_ascii=False))
        return
    if not passages:
        click.echo("no matching passages")
    for number, passage in enumerate(passages, 1):
        click.echo(
            f"{number}. {click.style(passage.title, bold=True)} [{passage.section}] "
            f"{passage.source}  score {passage.score:.4f}"
        )
        snippet = " ".join(passage.text.split())
        click.echo(f"   {snippet[:300]}{'...' if len(snippet) > 300 else ''}")


@main.command("eval")
@click.option(
    "--suite",
    "suites",
    multiple=True,
    metavar="NAME",
    help="decisions, scenarios, conversations, generated, adversarial, retrieval, extraction "
    "(repeatable; default: all).",
)
@_llm_option
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
    from evals.runner import SUITES

    settings = configure(llm=llm)
    if diff_rules:
        from evals.diff_rules import diff_rules as diff

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
    from evals.report import gates, write_all
    from evals.runner import Runner

    from .progress import Progress

    runner = Runner(settings, repeat=repeat, progress=Progress().update)
    summary = runner.run(suites or SUITES)
    previous = json.loads(baseline.read_text()) if baseline else None
    failures = gates(summary, previous)
    write_all(out, summary, runner.results, previous, failures)
    click.echo(Path(out / "report.md").read_text().split("## Failed cases")[0].rstrip())
    click.echo(f"\nreports in {out}/")
    if failures:
        sys.exit(1)


@main.group()
def rules() -> None:
    """Inspect the rule set."""


@rules.command("check")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def rules_check(strict: bool) -> None:
    """Validate and lint the rules: fields, values, sources, duplicates, contradictions."""
    from .engine import default_rules
    from .rules import lint

    ruleset = default_rules()
    problems = lint(ruleset)
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        click.secho(str(problem), fg=colour)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(ruleset)} rules in {ruleset.path}: {errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        sys.exit(1)


@rules.command("list")
def rules_list() -> None:
    """Show every rule as a readable line."""
    from .engine import default_rules

    for rule in default_rules():
        condition = (
            ", ".join(
                f"{name}={'|'.join(format_value(v) for v in sorted(values, key=str))}"
                for name, values in rule.when
            )
            or "always"
        )
        click.echo(f"{click.style(rule.id, bold=True)}  when {condition}  ->  {rule.describe_effect()}")


@main.command()
def fields() -> None:
    """List the profile fields and their allowed values."""
    for spec in FIELDS.values():
        values = " | ".join(format_value(v) for v in spec.values)
        click.echo(f"{click.style(spec.name, bold=True):<28} {values}\n    {spec.help}")


if __name__ == "__main__":  # pragma: no cover
    main()
