"""Russian grammar the templates need: a word in the case a sentence asks for, and a count's noun in number.

Why its own module: the templates stay plain `str.format` strings with the same fields in both languages;
a Russian template asks for a form in the field's format spec ("рекомендую {option:acc}",
"первые {count:символ|символа|символов}"), and the values below know how to answer. English values are
plain strings and numbers, so an English template is filled in exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Count", "Inflected", "plural"]


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian noun form for `n`: plural(1, "правило", "правила", "правил") -> "правило";
    2-4 -> "правила"; 5-20 and 0 -> "правил"; then by the last digit again (21 -> one, 22 -> few, 25 ->
    many), except 11-14, which take `many`."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


class Inflected(str):
    """A noun phrase that is its nominative as a string and gives another case by format spec:
    f"{word:acc}" -> the accusative. An unknown case is an error, not a silent nominative."""

    forms: Mapping[str, str]

    def __new__(cls, forms: Mapping[str, str]) -> Inflected:
        word = super().__new__(cls, forms["nom"])
        word.forms = dict(forms)
        return word

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        if spec not in self.forms:
            raise ValueError(f"no {spec!r} form of {str(self)!r}")
        return self.forms[spec]

    def capital(self) -> Inflected:
        """Every form with its first letter in upper case (a bullet that starts with the option)."""
        return Inflected({case: text[:1].upper() + text[1:] for case, text in self.forms.items()})


class Count(int):
    """A number that, given "one|few|many" as its format spec, is written with its noun in the right number
    ("20 000 символов", digits grouped with a no-break space); any other spec formats the number as usual."""

    def __format__(self, spec: str) -> str:
        if spec.count("|") == 2:
            one, few, many = spec.split("|")
            digits = f"{int(self):,}".replace(",", "\u00a0")
            return f"{digits} {plural(int(self), one, few, many)}"
        return int.__format__(int(self), spec)
