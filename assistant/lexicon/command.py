"""`modelchoice lexicon check`: validate and lint the lexicon, the way `rules check` does the rules.

Why its own module: the CLI module only registers it; what the check reports (file, line, entry, part) and
when it fails is the lexicon's business.
"""

from __future__ import annotations

import sys

import click

from .model import Problem

__all__ = ["lexicon"]


@click.group()
def lexicon() -> None:
    """Inspect the understanding vocabulary (knowledge/lexicon/*.yaml)."""


@lexicon.command("check")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def lexicon_check(strict: bool) -> None:
    """Validate and lint the lexicon: patterns compile, every example is matched and read as its entry
    means (by the understander, the guard's claim reader or the LLM evidence check), no counterexample
    is, every statement is read as its fact and every what-if question as a what-if that changes it, no
    pattern is written twice. The Russian files are checked too: the gloss (ru/gloss.yaml) reads each
    phrase's example with its English; every English sentence has its Russian wording with the same
    fields (ru/answers.yaml), and the Russian guard reads its examples as they say (ru/claims.yaml)."""
    from ..guard.facts import ClaimReader
    from ..llm.evidence import EvidenceReader
    from ..understand.reader import CODE_FRAGMENTS, LexiconReader
    from ..understand.russian import gloss_text
    from ..understand.text import clean_text
    from .gloss import lint_gloss, read_gloss
    from .lint import check
    from .loader import LEXICON_DIR, read_lexicon

    found, problems = read_lexicon()
    gloss, gloss_problems = read_gloss()
    problems += gloss_problems
    if not any(p.severity == "error" for p in problems):  # linting a broken lexicon would only repeat it
        claims, evidence, reader = ClaimReader(found), EvidenceReader(found), LexiconReader()
        problems += check(
            found,
            reader,
            CODE_FRAGMENTS,
            claims=claims,
            evidence=evidence,
            understander=reader.understander,
        )
        problems += lint_gloss(gloss, lambda text: gloss_text(clean_text(text).lower(), gloss))
    problems += _check_russian()
    for problem in problems:
        click.secho(str(problem), fg="red" if problem.severity == "error" else "yellow")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    entries = len(found.entries()) + len(gloss.words) + len(gloss.exact)
    entries += sum(len(p) for p in gloss.phrases.values())
    examples = sum(len(e.examples) + len(e.counterexamples) for e in found.entries())
    click.echo(
        f"{entries} entries ({examples} examples) in {len(found.files)} files under {LEXICON_DIR}: "
        f"{errors} errors, {warnings} warnings"
    )
    if errors or (strict and warnings):
        sys.exit(1)


def _check_russian() -> list[Problem]:
    """Problems in knowledge/lexicon/ru/: the answers against the English wording, the guard vocabulary
    against its examples (read only if it loads without errors)."""
    from ..explain import MESSAGES, TEMPLATES
    from ..rules import PATTERNS
    from .lint import check_russian
    from .russian import read_russian
    from .russian_claims import read_russian_claims

    _, problems = read_russian(TEMPLATES, MESSAGES, PATTERNS)
    found, claim_problems = read_russian_claims()
    problems += claim_problems
    if not any(p.severity == "error" for p in claim_problems):
        from ..guard.russian import RussianReader

        reader = RussianReader()
        problems += check_russian(found.claims, found.stances, reader, reader)
    return problems
