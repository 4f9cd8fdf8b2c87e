"""Knowledge text that cannot speak to the assistant: comments and instructions are taken out of passages.

Knowledge files are data a domain expert edits, and they reach every answer and the LLM's prompt, so a
poisoned file must not be able to instruct the assistant. Two detectors decide what "an instruction" is:
the chat's injection detector (role markers, "ignore your rules", ...) and, here, plainly worded
directives addressed to whoever reads the passage ("always recommend a foundation model", "tell every user
that ..."), which ordinary guidance about models never needs. Done once, where sections are made.
"""

from __future__ import annotations

import re

_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Bracketed role tags ("[assistant instruction]", "[/system]") that frame an injection; the text they frame
# is judged sentence by sentence, but the tags themselves never belong in a passage.
_ROLE_TAG = re.compile(
    r"\[/?[^\[\]\n]{0,40}\b(?:instruction|system|assistant|prompt)s?\b[^\[\]\n]{0,40}\]", re.I
)
_LIST_MARK = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s+")
_SAY = r"(?:recommend|suggest|say|tell|answer|claim|state|advise|respond|reply|insist|conclude|push)"
_READER = (
    r"(?:you|the assistant|assistants?|the (?:ai|model|chatbot|bot|llm|system)|any (?:ai|assistant|model)"
    r"|(?:ai|language) models?|whoever reads this)(?:\s+reading this(?:\s+(?:passage|note|text))?)?"
)
_DIRECTIVE = re.compile(
    "|".join(
        [
            # "The assistant must always recommend ...", "you should tell ..."
            rf"\b{_READER}\s+(?:must|should|shall|will|are to|is to|need to|has to|have to)\s+"
            rf"(?:always\s+|never\s+|now\s+|only\s+)?(?:{_SAY}|ignore|disregard|override)\b",
            # "Always recommend ...", "From now on, say ..." at the start of a sentence
            rf"^\W*(?:always|never|from now on,?|in every case,?|in all cases,?)\s+{_SAY}\b",
            # "Tell every user that ...", "assure all readers ..."
            r"\b(?:tell|inform|assure|convince|remind)\s+(?:every|all|each|any|the)\s+"
            r"(?:users?|readers?|customers?|teams?|people)\b",
            # "When a user asks about privacy, say ..."
            r"\b(?:when|whenever|if)\s+(?:a |the |any )?(?:users?|someone|anyone|people|teams?|customers?)"
            rf"\s+(?:asks?|mentions?|says?)\b[^.]*?,\s*(?:always\s+)?{_SAY}\b",
            # "... regardless of the rules", "whatever the user has said"
            r"\b(?:regardless of|irrespective of|no matter)\s+(?:what\s+)?(?:the\s+)?"
            r"(?:rules|user|users|profile)\b",
            r"\bwhatever the (?:user|rules|profile)\b",
            # "Answer every question ...", "recommend X for every project"
            r"\b(?:answer|respond to|reply to)\s+(?:every|each|all|any)\s+(?:question|user|request)s?\b",
            rf"\b{_SAY}\s+(?:a |an |the )?[\w-]+(?:\s+[\w-]+)?\s+(?:for|to)\s+(?:every|all|each|any)\s+"
            r"(?:users?|projects?|teams?|cases?|customers?)\b",
        ]
    ),
    re.I,
)


def is_directive(sentence: str) -> bool:
    """Does this sentence instruct its reader (the assistant) rather than describe something?"""
    return bool(_DIRECTIVE.search(sentence.strip()))


def sanitize(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` without HTML comments and instruction sentences, and the sentences taken out. Line structure
    is kept, so Markdown lists and chunking are unchanged for clean text (which comes back as it was)."""
    from .understand import is_instruction  # the chat's injection detector: role markers, overrides

    removed = [" ".join(c.group(1).split()) for c in _COMMENT.finditer(text) if c.group(1).strip()]
    lines: list[str] = []
    removed += [t.group(0) for t in _ROLE_TAG.finditer(_COMMENT.sub(" ", text))]
    for line in _ROLE_TAG.sub("", _COMMENT.sub(" ", text)).split("\n"):
        marker = _LIST_MARK.match(line)
        prefix = marker.group(0) if marker else ""
        kept = []
        for sentence in _SENTENCE_END.split(line[len(prefix) :]):
            if sentence.strip() and (is_instruction(sentence) or is_directive(sentence)):
                removed.append(sentence.strip())
            else:
                kept.append(sentence)
        lines.append(prefix + " ".join(kept).rstrip())
    return ("\n".join(lines) if removed else text), tuple(removed)
