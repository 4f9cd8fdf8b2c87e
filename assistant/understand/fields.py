"""Profile facts stated in a text: scan every field's cues, read each hit's value, resolve each field.

Why its own module: this is the one place that turns cue matches into `Turn.changes` values, with the
policies that decide between several mentions of a field:
  - a cue preceded by a negator in its clause ("we don't have an ML team", "nothing is annotated") or
    followed by a negative answer ("labels? none", "on-device isn't needed") takes its negated value;
  - overlapping hits keep the longest; then the last mention wins, except data_type (the first mention is
    the main data; two types joined by "and", or used "from both", = multimodal; a noun right after a
    writing verb is output, not input: "drafts cover letters"), privacy / latency (the strictest
    requirement wins) and ml_team (any ML people at all: true);
  - stated request rates set `volume` ("2M/day"; a bare count is not a volume);
  - a cue right after "instead of" / "rather than" / "drop the" names what is replaced, and states nothing;
  - a correction ("10k, no, closer to 60k") takes back the mention of the field right before it;
  - a task verb whose subject is the people who already do the work ("our dentists grade each x-ray") is
    how the labels came about, not the model's task;
  - hits inside `exclude` spans (the questions of a message) state nothing;
  - convention: strict privacy implies external_api_ok false unless the text says otherwise.
The cue phrases themselves are in the lexicon (knowledge/lexicon/), built into `understand.cues`.

Speed: the cues of a field are scanned as one pattern, and a degenerate paste cannot make one field cost
more than `_MAX_HITS_PER_FIELD` matches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from itertools import pairwise
from typing import TypeAlias

from ..types import Value
from . import vocab
from .cues import FIXED, IGNORE, Cue, cues_by_field
from .numbers import request_rates, request_spans, volume_level
from .patterns import LazyRe, top_level_parts
from .text import clause_start, negated, sentence_spans

__all__ = ["Hit", "build_scanners", "extract_fields", "resolve", "scan"]

Hit: TypeAlias = tuple[int, int, Value | None]  # start, end, value (None: the mention changes nothing)
Span: TypeAlias = tuple[int, int]

# A negative answer right after the cue: "labels? we have none", "ML team: nobody."
_POST_NEGATION = LazyRe(
    r"\s*[?:,-]+\s*(?:we have |we've got |we've |there (?:are|is) |there's |we got )?"
    r"(?:literally |basically |absolutely |pretty much |practically |just |exactly )?(?:none|zero|"
    r"nothing|nobody|nope|nada|no)\s*(?:[.;!?]|,(?!\s*(?:[\d~]|closer|nearer|more|less|about|around|"
    r"actually|make that|i mean|sorry|wait|rather|more like))|$)|\s+(?:is|are|would be|"
    r"will be)?\s*(?:not|isn't|aren't|isnt|arent|won't be|wont be|haven't been|hasn't been|have not been|"
    r"has not been)\s+(?:really\s+)?(?:needed|required|necessary|a requirement|a must|"
    r"an option|available|allowed|approved|permitted|cleared)\b"
)
# A correction of what was just said: "10k already triaged, no, closer to 60k", "realtime. well... a second
# or two is fine", "low, sorry, medium": the value before it is taken back when the same field follows.
_CORRECTION = LazyRe(
    r"(?:^|[\s,.;:!?-])(?:no|nope|sorry|i mean|make that|scratch that|correction|or rather|wait|oops|"
    r"well\s*(?:\.\.+|…)|actually,? no)\s*(?:[,.:;!…-]|\.\.+)"
)
# What a writing verb turns its input into: "summarise the calls into agent notes" (`_made_into`)
_INTO = LazyRe(r"\binto\s+(?:[\w'-]+\s+){0,3}$")
_TURN_INTO = LazyRe(
    r"\b(?:writ\w*|wrote|draft\w*|generat\w*|produc\w*|creat\w*|summar\w+|turn\w*|convert\w*|"
    r"transform\w*|condens\w*|boil\w*|distil\w*|rewrit\w*)\b"
)
# A task verb that opens with a wish is asked of the model, whoever wishes it (`_by_people`)
_WISH_AT = LazyRe(r"(?:want|wants|wanted|would like|'d like|need|needs|hope|hopes|plan|plans) to\b")
# Made already, so input: "the automatically generated transcripts" (`_is_output`)
_MADE_ALREADY = frozenset({"automatically", "auto", "already", "previously", "machine"})
_CORRECTION_GAP = 60  # characters between the two mentions: a correction follows at once
_DATA_JOIN = LazyRe(
    r"^\W*(?:\w+\W+){0,4}(?:and|&|plus|as well as|with|together with|along with|alongside|next to|"
    r"in addition to|on top of|\+|/)\W+(?:[\w']+\W+){0,4}$"
)
# A list of data kinds: "images, spec tables and past questions" (the commas join like "and" when the list
# ends in one)
_DATA_LIST = LazyRe(r"^\W*,\W*(?:[\w']+\W+){0,3}$")
# What a data noun is said to come with is its label, not a second kind of data: "photos with the damage
# reports attached"
_ATTACHED = LazyRe(r"\s+(?:[\w']+\s+){0,2}?(?:attached|on (?:each|every|them|it))\b")
# A noun wished for "generated from" something is the output, not input: "we want show notes generated from
# the episode audio", "listing descriptions drafted from the spreadsheet columns"
# ("headlines rewritten for SEO" is not one: what is rewritten is the input itself)
_MADE_AFTER = LazyRe(
    r"(?:\s+(?:[\w'-]+|[+&])){0,5}?\s+(?:auto-?|automatically\s+)?(?:generated|drafted|written|produced|composed|created)\s+(?!by\b)"
    r"(?:from|off|out of|automatically|for|based)\b"
)
# What a statement replaces or drops is not a fact: "what if this became the core system instead of a pilot?",
# "free-form answers instead of just a category", "it's no longer a demo", "we drop the realtime requirement"
_REPLACED = LazyRe(
    r"\b(?:instead of|rather than|in place of|no longer(?: be| is| a| an)?|drop|drops|dropped|dropping|"
    r"remove|removed|removing|relax|relaxed|relaxing|get rid of|forget about)\s+"
    r"(?:(?:a|an|the|just|only|simply|our|their|its|being|on|in)\s+){0,2}$"
)
_LISTED_AFTER = LazyRe(r"\s*(?:,|&|and|or|plus|\+|/|as well as)\s+(?:[\w'-]+\s+){0,2}$")
_WISHED = LazyRe(r"\b(?:want|wants|wanted|need|needs|like|love|get)\b")
# Two kinds of data named apart and then used together: "site diaries are typed, and the drone films a
# weekly flyover. we want a progress estimate from both" ("from both sites" speaks of something else)
_BOTH = LazyRe(
    r"\b(?:from|using|combining|combine|with|on|use|uses|of) both\b"
    r"(?!\s+(?!of them|together|sources|inputs|kinds|types|modalities)[a-z])|\bcombin\w+ (?:the two|them)\b"
)
# "draft the first version of the programme notes": what is drafted is the notes
_VERSION_OF = re.compile(
    r"\b(?:the |a |an )?(?:first |initial |rough |final |new )?(?:versions?|drafts?|copies) of (?:the )?"
)
# After a writing verb, these words make what follows its input again: "draft replies *to* emails"
_INPUT_AGAIN = frozenset(
    {"from", "of", "on", "about", "using", "based", "to", "in", "into", "for", "with", "over"}
)
_STRICTNESS: dict[str, tuple[Value, ...]] = {
    "privacy": ("none", "sensitive", "strict"),
    "latency": ("relaxed", "interactive", "realtime"),
    # "a few data scientists but nobody with deep learning experience": they do have an ML team
    "ml_team": (False, True),
}

_Scanner: TypeAlias = tuple[LazyRe, tuple[Cue, ...]]
_MAX_HITS_PER_FIELD = 40
_SHORT_SENTENCE = 10  # words
# Fields whose cue a clause opening with "nobody" / "none of" negates however far: "none of the clips were
# ever annotated", "nobody on staff knows anything about machine learning", "none of this is personal"
_HEAD_NEGATED = frozenset({"labeled_data", "ml_team", "privacy"})
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_DATA_NEGATION_WORDS = 4


@functools.cache
def build_scanners() -> list[_Scanner]:
    """One pattern per field (its cues' alternatives), so a text is scanned once per field, not once per
    cue; a hit is then matched against the field's cues at that position to find its value (capturing
    groups in the scanner itself would make every search several times slower). Within a field the
    leftmost match wins, then the first cue listed: list specific cues ("budget isn't an issue") before
    general ones ("budget"). Built on first use (or by `warm_up()`)."""
    built: list[_Scanner] = []
    for cues in cues_by_field().values():
        source = "|".join(f"(?:{part})" for c in cues for part in top_level_parts(c.regex.source))
        built.append((LazyRe(_NAMED_GROUP.sub("(?:", source)), cues))  # group names must be unique
    return built


@functools.cache
def _make_verb() -> re.Pattern[str]:
    return re.compile(rf"(?:^|-)(?:{vocab.fragment('MAKE_VERB')}|brainstorm\w*)$")


@functools.cache
def _writers() -> re.Pattern[str]:
    return re.compile(rf"(?:{vocab.fragment('WRITERS')})")


def _is_output(text: str, start: int) -> bool:
    """Is the data noun at `start` what a writing verb produces ("writes personalised follow-up emails")?
    Not when people are the verb's subject: what "the dispatchers write" is the input data."""
    lead = _VERSION_OF.sub(" ", text[clause_start(text, start) : start]).split()
    words = lead[-4:]
    for i in range(len(words) - 1, -1, -1):
        if _INPUT_AGAIN & set(words[i + 1 :]):
            return False
        if _make_verb().search(words[i]) or (i and _make_verb().fullmatch(f"{words[i - 1]} {words[i]}")):
            at = len(lead) - len(words) + i
            # "the automatically generated transcripts", "our writers draft": made already, so input
            return not (at and (_writers().fullmatch(lead[at - 1]) or lead[at - 1] in _MADE_ALREADY))
    return False


def _made_into(text: str, start: int) -> bool:
    """Is the data noun at `start` what a writing verb turns its input into ("summarise the calls into
    agent notes", "transcribe + summarise episodes into show notes")?"""
    lead = clause_start(text, start)
    into = _INTO.search(text, lead, start)
    return into is not None and _TURN_INTO.search(text, lead, into.start()) is not None


def _made(text: str, start: int, end: int) -> bool:
    """Is the data noun at `start`-`end` wished for as something made from other data ("we want show notes
    and chapter summaries generated from the episode audio")?"""
    made = _MADE_AFTER.match(text, end)  # its words stop at punctuation, but not at "and"
    return made is not None and _WISHED.search(text, clause_start(text, start), start) is not None


def _output(text: str, m: re.Match[str], output_end: int) -> bool:
    """Is this data noun output: produced by a writing verb, wished for as made from other data, or listed
    right after such an output (ending at `output_end`, -1 when none)?"""
    return (
        _is_output(text, m.start())
        or _made_into(text, m.start())
        or _made(text, m.start(), m.end())
        or (output_end >= 0 and _LISTED_AFTER.match(text, output_end, m.start()) is not None)
    )


def _value(cue: Cue, text: str, m: re.Match[str]) -> Value | None:
    if _REPLACED.search(text, clause_start(text, m.start()), m.start()):
        return None
    data = cue.field == "data_type"  # "none of the clips were annotated": still clips
    # a data noun is negated only by a negator right before it ("no photos", "don't have any audio"):
    # "nobody has ever tagged these vibration logs" negates the tagging, the logs exist
    reach = {"words": _DATA_NEGATION_WORDS} if data else {}
    if cue.negated is not FIXED and (
        negated(text, m.start(), **reach, partitive=not data, head=cue.field in _HEAD_NEGATED)
        or _POST_NEGATION.match(text, m.end())
    ):
        return None if cue.negated is IGNORE else cue.negated
    return cue.read(text, m)


def scan(text: str) -> dict[str, list[Hit]]:
    """Every cue hit in lower-cased, cleaned text, by field, with the value it states. A data noun listed
    right after an output is output too: "write the tasting notes & social posts"."""
    hits: dict[str, list[Hit]] = {}
    for scanner, cues in build_scanners():
        output_end = -1
        for n, hit in enumerate(scanner.finditer(text)):
            if n == _MAX_HITS_PER_FIELD:
                break  # no real text mentions a field this often; bounds the time on degenerate pastes
            found = next(((c, cm) for c in cues if (cm := c.regex.match(text, hit.start()))), None)
            if found is None:
                continue
            cue, m = found
            value = _value(cue, text, m)
            if cue.field == "data_type" and _output(text, m, output_end):
                value, output_end = None, m.end()
            hits.setdefault(cue.field, []).append((m.start(), m.end(), value))
    return hits


def _short_sentence(text: str, pos: int) -> bool:
    start, end = next(((a, b) for a, b in sentence_spans(text) if a <= pos < b), (0, len(text)))
    return len(text[start:end].split()) <= _SHORT_SENTENCE


def _outside(start: int, exclude: Sequence[Span]) -> bool:
    return not any(a <= start < b for a, b in exclude)


def resolve(text: str, hits: dict[str, list[Hit]], exclude: Sequence[Span] = ()) -> dict[str, Value]:
    """The facts the hits state, one value per field, ignoring hits that start inside `exclude`. A data
    noun counted in a request rate in a short sentence ("about 800 emails a day") states the volume, not
    the kind of data (in a description, "we score 2M card transactions a day", it states both)."""
    changes: dict[str, Value] = {}
    rated = [span for span in request_spans(text) if _short_sentence(text, span[0])]
    # a task verb inside a statement of labels is the labelling, not the task: "we could get the paralegals
    # to tag maybe 1,000 contracts", "cataloguers have assigned subject headings by hand"
    labelling = [(a, b) for a, b, v in hits.get("labeled_data", ()) if v is not None]
    for name, found in hits.items():
        kept = [h for h in found if _outside(h[0], exclude)]
        if name == "data_type":
            kept = [h for h in kept if _outside(h[0], rated)]
        elif name == "task":
            kept = [h for h in kept if _outside(h[0], labelling) and not _by_people(text, h[0])]
        kept = _corrected(text, kept)
        resolved = _data_type(text, kept) if name == "data_type" else _resolve(name, kept)
        if resolved is not None:
            changes[name] = resolved
    rates = [rate for rate, start in request_rates(text) if _outside(start, exclude)]
    if rates:
        changes["volume"] = volume_level(rates[-1])
    if changes.get("privacy") == "strict":
        changes.setdefault("external_api_ok", False)  # convention: strict = the data may not leave
    return changes


def _corrected(text: str, hits: list[Hit]) -> list[Hit]:
    """The hits without those a correction takes back: a mention with a different value follows soon
    after a correction marker."""
    valued = _valued(hits)
    dropped = {
        a
        for a, b in pairwise(valued)
        if a[2] != b[2] and b[0] - a[1] <= _CORRECTION_GAP and _CORRECTION.search(text, a[1], b[0] + 1)
    }
    return [h for h in hits if h not in dropped] if dropped else hits


@functools.cache
def _people_do() -> re.Pattern[str]:
    return re.compile(
        # the people are the subject, not a preposition's object ("from our records about customers, predict")
        r"(?<!\bof )(?<!\bon )(?<!\bto )(?<!\bby )(?<!\bfor )(?<!\bfrom )(?<!\bwith )(?<!\babout )"
        r"(?<!\bof the )(?<!\babout the )(?<!\bfrom the )(?<!\bfor the )(?<!\bfor our )"
        rf"\b(?:{vocab.fragment('WRITERS')}|quants?|analysts?|engineers?|scientists?|statisticians?|developers?|actuar(?:y|ies)|team|desk|squad)"
        r"\s+(?:(?:who|that)(?:'ve|'s| have| has| had)?\s+)?"
        r"(?:(?:already|have|has|had|always|manually|usually|currently|still|all|each|now|also|routinely|"
        r"normally|then|been)\s+)*"
        r"(?:(?:does|did|build|built|builds|retrain|retrains|retrained|trained|trains|maintains|maintained|runs|ran|"
        r"made|wrote|developed)\s+(?:(?:the|our|a|an|their|its|some|previous|old|existing|current)\s+)*"
        r"(?:[\w-]+\s+){0,2}?)?$"
    )


def _by_people(text: str, start: int) -> bool:
    """Is the task verb at `start` what people already do ("our dentists grade each bitewing for decay"),
    or have built ("our two quants retrain the credit scoring models", "the analyst who does the demand
    forecasting")? Their work is how the labels came about, or what they know, not what the model is for."""
    if _WISH_AT.match(text, start):
        return False  # "the analysts want to flag ...": what the people want the model to do
    return _people_do().search(text, clause_start(text, start), start) is not None


def extract_fields(text: str, exclude: Sequence[Span] = ()) -> dict[str, Value]:
    """Profile facts stated in lower-cased, cleaned text (no intent logic, no context)."""
    return resolve(text, scan(text), exclude)


def _valued(hits: list[Hit]) -> list[tuple[int, int, Value]]:
    """The hits that state a value, in text order."""
    return sorted(((start, end, v) for start, end, v in hits if v is not None), key=lambda h: h[0])


def _resolve(name: str, hits: list[Hit]) -> Value | None:
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):  # longest first
        if all(hit[1] <= k[0] or hit[0] >= k[1] for k in kept):
            kept.append(hit)
    valued = _valued(kept)
    if not valued:
        return None
    if name in _STRICTNESS:
        return max((h[2] for h in valued), key=_STRICTNESS[name].index)
    return valued[-1][2]


def _data_type(text: str, hits: list[Hit]) -> Value | None:
    # a mention inside a longer one is part of it: "scans every incoming letter" is the scans, not letters
    valued = [
        h
        for h in _valued(hits)
        if not any(o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)
    ]
    if not valued:
        return None
    if any(h[2] == "multimodal" for h in valued):
        return "multimodal"
    joined = [
        bool(_DATA_JOIN.match(text[a[1] : b[0]])) and not _ATTACHED.match(text, b[1])
        for a, b in pairwise(valued)
    ]
    for i, (a, b) in enumerate(pairwise(valued)):
        listed = _DATA_LIST.match(text[a[1] : b[0]]) and i + 1 < len(joined) and joined[i + 1]
        if a[2] != b[2] and (joined[i] or listed or _BOTH.search(text, b[1])):
            return "multimodal"
    return valued[0][2]
