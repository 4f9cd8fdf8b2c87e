"""Questions in Russian that the gloss reads by their form, not their words (`russian.gloss_text`).

Why its own module: a question's form carries its meaning: "не лучше ли ...?", "а гибрид не надёжнее
будет?" and "не проще было бы ...?" suggest an option, as English "wouldn't it be better ...?" does, whatever
the option is called; the words alone ("not", "better") would read as a statement.
"""

from __future__ import annotations

__all__ = ["asks", "suggestion"]

# what may follow the comparative: "ли", "будет", "было бы", "был бы"
_TAIL = frozenset({"ли", "будет", "было", "был", "была", "были", "бы", "же", "ведь"})


def asks(tokens: list[str], i: int) -> bool:
    """Does the sentence from token `i` end in a question mark?"""
    end = next((t for t in tokens[i:] if t in {".", "!", "?"}), "")
    return end == "?"


def suggestion(tokens: list[str], i: int, comparatives: dict[str, str]) -> tuple[int, str]:
    """How many tokens a suggestion at `i` takes ("не" and one of the gloss's comparatives in a question,
    with its "ли" or "будет"), and its English ("wouldn't it be better"); (0, "") when there is none."""
    if tokens[i] != "не" or i + 1 >= len(tokens) or tokens[i + 1] not in comparatives or not asks(tokens, i):
        return 0, ""
    end = i + 2
    while end < len(tokens) and tokens[end] in _TAIL:
        end += 1
    return end - i, f"wouldn't it be {comparatives[tokens[i + 1]]}"
