"""`modelchoice`: a thin click CLI over the library. Heavy imports happen inside the commands that need them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .knowledge import KnowledgeError
from .profile import FIELDS, ProfileError, format_value
from .rules import RulesError
from .session import SessionError
from .settings import SettingsError, configure

USER_ERRORS: tuple[type[Exception], ...] = (ProfileError, RulesError, KnowledgeError, SettingsError, SessionError)


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


@click.group(cls=Group)
@click.version_option(package_name="modelchoice")
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), help="Rules file (MODELCHOICE_RULES).")
@click.option("--knowledge", "knowledge_dirs", multiple=True, type=click.Path(path_type=Path),
              help="Extra knowledge directory (repeatable; MODELCHOICE_KNOWLEDGE).")
def main(rules_file: Path | None, knowledge_dirs: tuple[Path, ...]) -> None:
    """Foundation model, custom model or hybrid? A rules engine decides; answers cite the guidance."""
    configure(rules_file=rules_file, knowledge_dirs=knowledge_dirs or None)


def _read_profile(source: str | None, assignments: tuple[str, ...]) -> Any:
    from .profile import Profile, load_profile

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
    return profile.with_changes(Profile.parse_assignments(assignments))


@main.command()
@click.argument("profile_file", required=False)
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="Override one profile field (repeatable); VALUE 'unknown' clears it.")
@click.option("--text", "description", help="Describe the project in words; its facts fill the profile.")
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object.")
def recommend(profile_file: str | None, assignments: tuple[str, ...], description: str | None,
              as_json: bool) -> None:
    """Decide for a profile (YAML/JSON file, or - for stdin)."""
    from .engine import decide

    profile = _read_profile(profile_file, ())
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
    return click.option("--session", "session_file", type=click.Path(path_type=Path),
                        help="JSON file holding the conversation; created if missing, saved after each turn.")(function)


def _llm_option(function: Any) -> Any:
    return click.option("--llm", type=click.Choice(["none", "local", "openai"]),
                        help="Who writes the explanation (MODELCHOICE_LLM; default none: offline, deterministic).")(
        function)


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
    reply = conversation.respond(session, text)
    if session_file:
        session.save(session_file)
    if as_json:
        click.echo(json.dumps(reply.to_dict(), indent=2))
    else:
        click.echo(reply.answer)


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
            text = click.prompt(click.style("you", fg="cyan"), prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo()
            break
        if text.strip().lower() in {"quit", "exit", ":q"}:
            break
        if not text.strip():
            continue
        reply = conversation.respond(session, text)
        click.echo(f"{click.style('modelchoice', fg='green')}> {reply.answer}\n")
        if session_file:
            session.save(session_file)


@main.command()
@click.option("--session", "session_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              required=True, help="A session saved by `ask --session` or `chat --session`.")
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
        condition = ", ".join(
            f"{name}={'|'.join(format_value(v) for v in sorted(values, key=str))}" for name, values in rule.when
        ) or "always"
        click.echo(f"{click.style(rule.id, bold=True)}  when {condition}  ->  {rule.describe_effect()}")


@main.command()
def fields() -> None:
    """List the profile fields and their allowed values."""
    for spec in FIELDS.values():
        values = " | ".join(format_value(v) for v in spec.values)
        click.echo(f"{click.style(spec.name, bold=True):<28} {values}\n    {spec.help}")


if __name__ == "__main__":  # pragma: no cover
    main()
