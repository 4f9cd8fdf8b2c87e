"""`modelchoice`: a thin click CLI over the library. Heavy imports stay inside the commands that need them."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import console
from .cli_options import extra_knowledge, knowledge_option, lang_option, llm_option, session_option
from .errors import ModelchoiceError, OutputError, RetrievalError
from .files import write_text
from .lexicon.command import lexicon
from .profile import FIELDS, Profile, format_value
from .settings import RETRIEVAL_METHODS, SettingsError, configure
from .types import LANGUAGES

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from .conversation import Conversation

# Every error the library raises on purpose is a ModelchoiceError; the others are listed until their
# modules move onto `errors` (harmless afterwards).
USER_ERRORS: tuple[type[Exception], ...] = (ModelchoiceError, SettingsError, RetrievalError)


PLUGIN_GROUP = "modelchoice.commands"


@functools.cache
def _plugins() -> dict[str, EntryPoint]:
    """Commands that front ends register (`ui`, `eval`): the core never imports a front end itself."""
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}


class Group(click.Group):
    """Finds the front ends' commands, and turns known bad-input errors into one clear message and exit
    code 2, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in _plugins():
            command = _plugins()[cmd_name].load()  # imported only when that command runs
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with console.notices():
                return super().invoke(ctx)
        except USER_ERRORS as exc:
            console.fail(ctx, exc)
        except OSError as exc:
            failure = console.stdout_failure(exc)  # stdout on a full disk: a message too
            if failure is None:
                raise
            console.fail(ctx, failure)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=Group)
@click.version_option(package_name="modelchoice")
@click.option(
    "--rules", "rules_file", type=click.Path(path_type=Path), help="Rules file (MODELCHOICE_RULES)."
)
@knowledge_option
@lang_option
def main(rules_file: Path | None, knowledge_dirs: tuple[Path, ...], lang: str | None) -> None:
    """Foundation model, custom model or hybrid? A rules engine decides; answers cite the guidance."""
    configure(rules_file=rules_file, knowledge_dirs=extra_knowledge(knowledge_dirs), language=lang)


def _read_profile(source: str | None) -> Profile:
    """The profile file (or stdin for "-"), through the safe reader; an empty stdin is said, not hidden."""
    from .profile import read_profile

    if source is None:
        return Profile()
    profile = read_profile(source)
    if not profile:
        where = "stdin" if source == "-" else source
        click.echo(f"modelchoice: {where} holds no profile fields: deciding with nothing known", err=True)
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
        from .understand import RuleBasedUnderstander

        extracted = RuleBasedUnderstander().understand(description)
        profile = profile.with_changes(dict(extracted.changes))
    profile = profile.with_changes(profile.parse_assignments(assignments))
    decision = decide(profile)
    if as_json:
        data: dict[str, object] = dict(decision.to_dict())
        if extracted is not None:
            data["profile"] = profile.to_dict()
            data["turn"] = extracted.to_dict()
        click.echo(json.dumps(data, indent=2))
        return
    from .render import decision_text

    click.echo(decision_text(decision))


def conversation_for(llm: str | None, lang: str | None = None) -> Conversation:
    from .conversation import Conversation

    return Conversation(configure(llm=llm, language=lang))


@main.command()
@click.argument("text")
@session_option
@llm_option
@lang_option
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object.")
def ask(text: str, session_file: Path | None, llm: str | None, lang: str | None, as_json: bool) -> None:
    """One chat turn: describe the project, ask why, what if..., or about a concept.

    With --session the turn holds the session's lock from loading to saving, so concurrent calls on
    one file take turns and every turn is kept."""
    from .session import Session

    conversation = conversation_for(llm, lang)
    out = console.GuardedOutput()
    if session_file is None:
        console.turn(conversation, Session(), text, as_json, out)
    else:
        Session.load(session_file)  # a bad session file fails now, before any slow start-up
        console.warm_up(conversation)
        with Session.editing(session_file) as session:
            console.turn(conversation, session, text, as_json, out)
    failure = out.failure("the answer")
    if failure:
        raise OutputError(f"{failure}; the turn is saved in {session_file}" if session_file else str(failure))


@main.command()
@session_option
@llm_option
@lang_option
def chat(session_file: Path | None, llm: str | None, lang: str | None) -> None:
    """A conversation in the terminal (Ctrl-D or 'quit' to leave). With --session each turn reloads,
    answers and saves under the session's lock, so another process using the same file loses nothing."""
    from .session import Session

    session = Session.load(session_file) if session_file else Session()
    conversation = conversation_for(llm, lang)
    if session_file:
        console.warm_up(conversation)
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
        if session_file:
            with Session.editing(session_file) as session:
                console.stream_reply(conversation, session, text)
        else:
            console.stream_reply(conversation, session, text)
        click.echo()


@main.command()
@click.option(
    "--session",
    "session_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="A session saved by `ask --session` or `chat --session`.",
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@lang_option
def record(session_file: Path, out: Path | None, lang: str | None) -> None:
    """Write the session's decision as a Markdown decision record (in --lang; by default the session's
    language). --out never overwrites the session or another file the record is made from, and is
    written atomically."""
    from .knowledge import sections_in
    from .record import decision_record
    from .session import Session
    from .settings import get_settings
    from .types import LANGUAGES
    from .wording import session_language

    session = Session.load(session_file)
    fixed = lang or get_settings().language  # --lang, `modelchoice --lang`, MODELCHOICE_LANG
    language = fixed if fixed in LANGUAGES else session_language(session)  # auto: the session's
    text = decision_record(session, sections_in(get_settings().knowledge_dirs, language), lang=language)
    if out is None or str(out) == "-":
        click.echo(text)
        return
    write_text(out, text, what="the decision record")
    click.echo(f"wrote {out}")


def _retrieval_settings(
    data_dir: Path | None, chroma_url: str | None, knowledge_dirs: tuple[Path, ...] = ()
) -> Any:
    """Settings for ingest/search: flags on top of env and the top-level options."""
    extra = extra_knowledge(knowledge_dirs)
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
@knowledge_option
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
@click.option(
    "--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Sections to search."
)
@_store_options
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON list of {id, section, title, source, score, text}."
)
def search(
    query: str,
    k: int,
    method: str | None,
    lang: str,
    data_dir: Path | None,
    chroma_url: str | None,
    as_json: bool,
) -> None:
    """Search the knowledge base (the store is built on first use)."""
    settings = _retrieval_settings(data_dir, chroma_url)
    from .retrieval import Retriever, get_retriever

    retriever = get_retriever(settings) if lang == "en" else Retriever(settings)  # no English store for ru
    passages = retriever.search(query, k, lang=lang, method=method)
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


main.add_command(lexicon)  # `lexicon check`, next to `rules check`


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
