"""Russian messages read into the lexicon's English, so the one understander reads both languages.

Why its own module: the mechanism of the gloss (the words themselves are data, knowledge/lexicon/ru/
gloss.yaml, see `lexicon.gloss`): tokens, stems, phrases before words, Russian numbers and abbreviations.
English words in a Russian message pass through unchanged ("у нас есть data science команда, хотим
fine-tune"), so mixed text is read like either language. A Russian word the gloss does not know is read as
nothing: it cannot turn into a fact by accident.
"""

from __future__ import annotations

import re

from ..lexicon.gloss import ANY, EXACT, Gloss, Phrase, default_gloss, lemmas, noun_case, part_of_speech
from .russian_prepare import prepare
from .russian_questions import asks as _asks
from .russian_questions import suggestion

__all__ = ["gloss_text"]

_CYRILLIC = re.compile(r"[а-яё]")
_TOKEN = re.compile(r"<!--|-->|[а-яё]+|[a-z0-9$€£₽%]+(?:[-'./+:][a-z0-9$€£₽%]+)*|\s-+\s|[^\s\w]")
_ATTACHED = frozenset(",.?!;:)")
_NO = frozenset({"нет", "нету", "ноль"})
_NEGATIVE = frozenset({"none", "nothing", "nobody", "never", "nowhere"})
# Phrases that, closing a clause, bear on the words before them: "разметки нет вообще никакой" (no labels),
# "сообщение не учитывай" (ignore the message), "LoRA — это что" (what is LoRA)
_BEFORE = {"we don't have": "we have no", "no": "no", "ignore": "ignore", "what is it": "what is"}
_BEFORE["nobody has ever trained"] = "nobody has ever trained"  # "модели никто из нас никогда не обучал"
_BEFORE["almost no"] = "almost no"  # "денег почти нет": almost no money
_SPAN_NOT = frozenset({"в", "на", "раз", "через", "каждый"})  # "в год", "через 2 года": not a history
_RATES = frozenset({"per day", "per second", "per month", "per hour", "per minute", "per week", "per year"})
_PLURALIA = frozenset({"sales", "news", "series", "analytics", "logistics", "statistics", "metrics"})
_HAVE = frozenset({"have", "we have"})
_NO_REACH = 4  # words "нет" reaches back over
_STOPS = frozenset({"-", "and", "but", "we have", "have", "there", "here", "also", "what if", "if", "so"})
_FILLERS = frozenset(
    {
        "совсем",
        "вообще",
        "вовсе",
        "абсолютно",
        "ваще",
        "уже",
        "там",
        "тут",
        "пока",
        "никакой",
        "у",
        "мы",
        "же",
    }
    | {"ни", "и", "тоже", "также", "ничего"}
)
_PAUSES = frozenset({",", "-", "--", "—"})  # passed over inside a phrase: "API — ок" is "API ок"
_PARTICLES = frozenset({"вообще", "ваще", "же", "вот", "ведь", "уж", "еще", "пожалуйста"})
# Words a "*" in the middle of a phrase stood for that say nothing there ("никто у нас модели не обучал")
_SLOT_SKIP = frozenset(
    {"us", "we", "me", "i", "you", "it", "its", "our", "their", "from", "in", "on", "with"}
) | {"and", "or", "never"}
# Nouns that a number after them makes approximate: "тысяч 15" is "about 15 thousand"
_COUNTED = frozenset(
    {"тысяча", "миллион", "год", "штука", "человек", "час", "минута", "день", "месяц", "неделя"}
)
_QUANTITY = _COUNTED | {
    "миллиард",
    "сотня",
    "десяток",
    "пара",
    "куча",
    "количество",
    "объем",
    "часть",
    "млн",
    "тыс",
    "млрд",
}


def _phrase_at(
    forms: list[tuple[str, ...]], words: list[bool], i: int, gloss: Gloss
) -> tuple[Phrase, list[int]] | None:
    """The longest phrase starting at token `i`, and the tokens it covers: a comma inside it is passed over
    ("что будет, если" is "что будет если": Russian puts a comma before every clause)."""
    candidates = {id(p): p for first in forms[i] for p in gloss.phrases.get(first, ())}
    for phrase in sorted(candidates.values(), key=lambda p: -len(p.stems)):
        at, covered = i, list[int]()
        for j, s in enumerate(phrase.stems):
            while (
                covered
                and at < len(forms)
                and (forms[at][0].strip() in _PAUSES or _aside(phrase, j, forms[at]))
            ):
                at += 1
            if at >= len(forms) or not ((s == ANY and words[at]) or phrase.matches(j, forms[at])):
                break
            covered.append(at)
            at += 1
        else:
            return phrase, covered
    return None


def _aside(phrase: Phrase, j: int, forms: tuple[str, ...]) -> bool:
    """A particle dropped into a phrase, passed over like a comma ("что ты вообще умеешь")."""
    return not _PARTICLES.isdisjoint(forms) and phrase.stems[j] != ANY and not phrase.matches(j, forms)


def _word(token: str, forms: tuple[str, ...], gloss: Gloss) -> str | None:
    if token in gloss.exact:
        return gloss.exact[token]
    found = next((gloss.words[f] for f in forms if f in gloss.words), None)
    if found is None:  # a reflexive or passive verb means what its verb does: "вытаскивались" - вытаскивать
        found = next(
            (gloss.words[f[:-2]] for f in forms if f.endswith(("ся", "сь")) and f[:-2] in gloss.words), None
        )
    return found


def _slots(
    phrase: Phrase, covered: list[int], tokens: list[str], forms: list[tuple[str, ...]], gloss: Gloss
) -> list[str]:
    """The words a "*" stood for, kept after the phrase ("что такое RAG" -> "what is rag"), but only those
    that mean something there ("никто у нас модели не обучал": "model", not "us model"); when none does,
    "it", so a question still has an object ("что такое эмбеддинги" -> "what is it")."""
    out = []
    for k, s in zip(covered, phrase.stems, strict=True):
        word = _word(tokens[k], forms[k], gloss) or (tokens[k] if not _CYRILLIC.match(tokens[k]) else None)
        if s == ANY and word and word not in _SLOT_SKIP:
            out.append(word)
    return out or (["it"] if ANY in phrase.stems else [])


def _number(token: str, forms: tuple[str, ...], gloss: Gloss) -> str | None:
    word = token if token[0].isdigit() else _word(token, forms, gloss)
    return word if word and word[0].isdigit() else None


def _years(tokens: list[str], forms: list[tuple[str, ...]], i: int, gloss: Gloss) -> tuple[str, int] | None:
    """A history so many years long, and the tokens it takes: "за шесть лет", "последние 12 лет", "15 лет
    сделок", "лет за пять" and "лет семь" (about). English says it before the data ("six years of sales"),
    Russian after. Not "в год", "через 2 года", "2 года назад" or a date ("2020 год")."""
    after = i
    if i and _SPAN_NOT & set(forms[i - 1]):
        return None
    if "год" in forms[i]:  # "лет за пять", "лет семь"
        after = i + 2 if i + 1 < len(tokens) and tokens[i + 1] == "за" else i + 1
        n = _number(tokens[after], forms[after], gloss) if after < len(tokens) else None
        return (f"about {n} years of", after + 1) if n and _span(n, tokens, after + 1) else None
    if tokens[i] == "за" or "последний" in forms[i]:
        after += 1
        if after < len(tokens) and "последний" in forms[after]:
            after += 1
    if after + 1 >= len(tokens) or "год" not in forms[after + 1]:
        return None
    n = _number(tokens[after], forms[after], gloss)
    return (f"{n} years of", after + 2) if n and _span(n, tokens, after + 2) else None


def _span(n: str, tokens: list[str], after: int) -> bool:
    """A number of years, not a date, not "ago"."""
    return (
        n.replace(".", "", 1).isdigit()
        and float(n) < 100
        and (after >= len(tokens) or tokens[after] != "назад")
    )


def _of(tokens: list[str], forms: list[tuple[str, ...]], i: int) -> bool:
    """Is token `i` a noun in the genitive that modifies the noun before it ("звонки клиентов", "история
    продаж")? English puts such a modifier first. Not a quantity ("тысяча отзывов", "отзывов тысяч 30")."""
    if _QUANTITY & set(forms[i] + forms[i - 1]):
        return False
    return noun_case(tokens[i]) == "gent" and noun_case(tokens[i - 1]) != ""


def _predicate(tokens: list[str], forms: list[tuple[str, ...]], i: int, out: list[str]) -> bool:
    """Is token `i` an adjective closing its clause after the noun it describes, a predicate?"""
    noun = i - 2 if i > 1 and part_of_speech(tokens[i - 1]) == "ADVB" else i - 1
    return (
        part_of_speech(tokens[i]) == "ADJF"
        and noun >= 0
        and (part_of_speech(tokens[noun]) == "NOUN" or "данные" in forms[noun])
        and bool(out)
        and out[-1] not in _ATTACHED | _STOPS
        and _ends_clause(tokens, forms, i + 1)
    )


def _denied(out: list[str]) -> bool:
    """Does a "no" open the noun group just glossed ("no faces" before "и")?"""
    return (
        any(p == "no" or p.startswith("no ") for p in out[max(0, _group_start(out) - 1) :]) if out else False
    )


def _counts(tokens: list[str], forms: list[tuple[str, ...]], i: int, gloss: Gloss) -> bool:
    """Is there a number between token `i` and the end of its clause?"""
    for k in range(i, len(tokens)):
        if tokens[k] in _ATTACHED or tokens[k].strip() in {"-", "и", "а", "но"}:
            return False
        if tokens[k][0].isdigit() or _number(tokens[k], forms[k], gloss) or _QUANTITY & set(forms[k]):
            return True
    return False


def _granted(tokens: list[str], i: int, out: list[str]) -> bool:
    """Is token `i` a permission after the thing permitted: "OpenAI можно", "API — пожалуйста"?"""
    if tokens[i] == "пожалуйста":
        return bool(out) and out[-1] == "-"
    return tokens[i] == "можно" and bool(out) and out[-1] not in _ATTACHED


def _allows(tokens: list[str], i: int) -> bool:
    """Does "можно" open a clause that names what is allowed, not what one can do ("можно использовать")?"""
    if i + 1 >= len(tokens) or not tokens[i + 1][0].isalnum():
        return False
    return not _CYRILLIC.match(tokens[i + 1]) or part_of_speech(tokens[i + 1]) in {"NOUN", "ADJF", "PREP"}


def _singular(word: str) -> str:
    """An English noun as a compound's modifier is singular: "customers" -> "customer" (not "sales")."""
    if " " in word or not word.endswith("s") or word.endswith(("ss", "us")) or word in _PLURALIA:
        return word
    return word[:-3] + "y" if word.endswith("ies") else word[:-1]


def _concord(out: list[str]) -> bool:
    """Is there a negative word earlier in the clause being glossed ("none of the", "nothing", "nobody")?"""
    for piece in reversed(out):
        if piece in _ATTACHED or piece in _STOPS:
            return False
        if piece and piece.split()[0] in _NEGATIVE:
            return True
    return False


def _group_start(out: list[str]) -> int:
    """Where the words just glossed start their noun group ("специалистов по ML" before "нет")."""
    at = len(out) - 1
    while at > max(0, len(out) - _NO_REACH) and out[at - 1] not in _ATTACHED | _STOPS:
        at -= 1
    return at


def _ends_clause(tokens: list[str], forms: list[tuple[str, ...]], i: int) -> bool:
    """Nothing that matters follows: the end, punctuation, a conjunction or a filler ("денег нет совсем")."""
    while i < len(tokens) and _FILLERS & set(forms[i]):
        i += 1
    return i >= len(tokens) or tokens[i] in _ATTACHED or tokens[i].strip() in {"-", "и", "а", "но"}


def gloss_text(low: str, gloss: Gloss | None = None) -> str:
    """Lower-cased Russian (or mixed) text in the lexicon's English: "данные не должны покидать наш
    контур" -> "data must not leave our perimeter"."""
    gloss = gloss or default_gloss()
    tokens = _TOKEN.findall(prepare(low, gloss.asides))
    cyrillic = [bool(_CYRILLIC.match(t)) for t in tokens]
    forms = [(*lemmas(t), EXACT + t) for t in tokens]  # its dictionary forms, then the form itself
    words = [t[0].isalnum() or t[0] in "$€£₽" for t in tokens]
    out: list[str] = []
    owner = (-1, -1)  # the token the last piece of `out` glosses, and where, if a word of its own
    i = 0
    rate = ""  # a rate said before its count (or "is allowed"), kept for the end of the clause
    while i < len(tokens):
        if rate and (tokens[i] in _ATTACHED or tokens[i].strip() in {"-", "и", "а", "но"}):
            out.append(rate)
            rate = ""
        years = _years(tokens, forms, i, gloss)
        if years is not None:
            i = years[1]
            # "продажи за шесть лет": six years of sales; "история продаж есть лет за 7": the data is before
            # "есть"
            head = out[:-1] if out and out[-1] in _HAVE and len(out) > 1 else out
            if head and head[-1] not in _ATTACHED | _STOPS:
                out.insert(_group_start(head), years[0])
            else:
                out.append(years[0])
            continue
        found = _phrase_at(forms, words, i, gloss)
        if found is not None:
            phrase, covered = found
            slots = _slots(phrase, covered, tokens, forms, gloss)
            i = covered[-1] + 1
            if (
                phrase.en in _RATES
                and (not out or out[-1] in _ATTACHED | _STOPS)
                and _counts(tokens, forms, i, gloss)
            ):
                rate = phrase.en  # "в день приходит 200 тыс. объявлений": 200 thousand listings per day
                continue
            if (
                phrase.en in _BEFORE
                and out
                and out[-1] not in _ATTACHED | _STOPS - {"-"}
                and _ends_clause(tokens, forms, i)
            ):
                # "ML-инженеров у нас нет", "разметки нет вообще никакой"
                out.insert(_group_start(out), _BEFORE[phrase.en])
            else:
                out += [phrase.en, *slots]
            continue
        taken, said = suggestion(tokens, i, gloss.comparatives)
        if taken:  # "а гибрид не надёжнее будет?": "and wouldn't it be safer hybrid?"
            at = len(out)
            while at and out[at - 1] not in _ATTACHED | _STOPS:
                at -= 1
            out.insert(at, said)
            i += taken
            continue
        if tokens[i] == "может" and (not out or out[-1] in _ATTACHED | {"and"}) and _asks(tokens, i):
            out.append("what about")  # "может, свою CNN обучим?": a suggestion, not "can"
            i += 2 if i + 1 < len(tokens) and tokens[i + 1] == "," else 1
            continue
        if tokens[i] == "можно" and (not out or out[-1] in _ATTACHED | _STOPS) and _allows(tokens, i):
            rate, i = "is allowed", i + 1  # "можно Claude по API": Claude via the API is allowed
            continue
        if _granted(tokens, i, out) and _ends_clause(tokens, forms, i + 1):
            if out[-1] == "-":
                out.pop()
            out.append("is allowed")  # "OpenAI можно", "внешние API — пожалуйста": the thing allowed first
            i += 1
            continue
        if _NO & set(forms[i]) and out and out[-1] not in _ATTACHED and _ends_clause(tokens, forms, i + 1):
            out.insert(_group_start(out), "no")  # "разметки нет": the thing comes first in Russian
            i += 1
            continue
        was = i + 1 < len(tokens) and "быть" in forms[i + 1]
        if (
            tokens[i] == "не"
            and was
            and out
            and out[-1] not in _ATTACHED
            and _ends_clause(tokens, forms, i + 2)
        ):
            out.insert(_group_start(out), "no")  # "своей ML-команды не было": there was no ML team
            i += 2
            continue
        if tokens[i] == "не" and _concord(out):
            i += 1  # "ни одно письмо не размечено": Russian negates twice, English once
            continue
        known = _word(tokens[i], forms[i], gloss)
        if (
            tokens[i][0].isdigit()
            and len(out) > 1
            and out[-1] == "about"
            and _ends_clause(tokens, forms, i + 1)
        ):
            del out[-1]  # "размеченных фоток около 800": about 800 labelled photos
            out.insert(_group_start(out), f"about {tokens[i]}")
            i += 1
            continue
        number = tokens[i] if tokens[i][0].isdigit() else known
        if number and number[0].isdigit() and i and _COUNTED & set(forms[i - 1]) and out and out[-1]:
            # "тысяч 15": about 15 thousand; "штук 300 договоров": about 300 contracts
            out[-1] = f"about {number}" + ("" if "штука" in forms[i - 1] else f" {out[-1]}")
            i += 1
            continue
        piece = known if known is not None else "" if cyrillic[i] else tokens[i].strip()
        if piece and _predicate(tokens, forms, i, out):
            # "данные полностью публичные": Russian leaves out "is" (data is fully public)
            out.insert(len(out) - (part_of_speech(tokens[i - 1]) == "ADVB"), "is")
        if piece == "and" and _denied(out):
            piece = "or"  # "никаких лиц и личных данных": no faces or personal data
        if piece and out and out[-1] and owner == (i - 1, len(out) - 1) and _of(tokens, forms, i):
            out[-1] = f"{_singular(piece)} {out[-1]}"  # "звонки клиентов": customer calls
        else:
            out.append(piece)
        owner = (i, len(out) - 1)
        i += 1
    out.append(rate)
    text = ""
    for piece in filter(None, out):
        text += piece if piece in _ATTACHED or not text else f" {piece}"
    return text
