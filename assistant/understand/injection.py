"""The injection detector: does a text read like instructions to the assistant rather than about a project?

Why its own module: one definition of "an instruction" is shared by two seams, turn understanding (an
injection turn carries no profile changes, so a pasted attack cannot smuggle facts in with its orders) and
the knowledge loader (`knowledge.sanitize` drops instruction-like sentences from passages before an answer or
an LLM sees them). The patterns run on the raw text with newlines kept, so "system:" at the start of any line
of a long paste is caught.
"""

from __future__ import annotations

import re

from .patterns import rx
from .text import clean_text

__all__ = ["is_injection", "is_instruction"]

_INJECTION = rx(
    r"\b(?:ignore|disregard|forget|override|bypass|skip|drop|abandon)\s+(?:all\s+|any\s+|of\s+|"
    r"about\s+)?(?:(?:your|the|my|these|those|its|previous|prior|earlier|above|preceding|former|original|"
    r"system|safety|current|existing|all|internal|built-in|old)\s+){1,3}(?:rules|instructions?|prompts?|"
    r"guidelines|guardrails|programming|directives?|restrictions|system message|decision engine|rules engine|"
    r"engine)\b",
    r"\bfrom now on\b",
    r"\b(?:forget|ignore|disregard)\s+(?:everything|all|anything)\s+(?:you(?:'ve| have)? (?:were |"
    r"been )?(?:told|taught|instructed|trained|programmed|given)|(?:that )?(?:was|were|"
    r"has been) said before)\b",
    r"\b(?:just|only|simply)\s+(?:say|answer|reply|respond|output)\s+(?:with\s+)?(?:that\s+)?(?:gpt\S*|"
    r"foundation|custom|hybrid|openai|claude|gemini)\b",
    r"\b(?:as|i am|i'm)\s+(?:the|an|your)\s+(?:admin|administrator|developer|dev|owner|operator|creator|ceo|"
    r"boss|system|root|superuser|sysadmin|maintainer)\b",
    r"\bi\s+(?:order|command|instruct|demand|authori[sz]e)\s+you\b",
    r"\bpretend\s+(?:that\s+)?(?:you(?:'re|\s+are|\s+have|\s+were)|to\s+be)\b",
    r"\byou\s+have\s+no\s+(?:rules|restrictions|limits|guidelines|filters)\b",
    r"\bact\s+(?:as|like)\s+(?:if\s+you|an?\s+(?:ai|assistant|chatbot|bot|model|llm|unrestricted|unfiltered|"
    r"different|evil)|dan)\b",
    r"\byou\s+are\s+now\b|\byou're\s+now\b|\byour\s+(?:new|real|true)\s+(?:role|task|instructions?|"
    r"purpose)\b",
    r"\b(?:unrestricted|unfiltered|uncensored)\s+(?:ai|mode|assistant|model|version)\b",
    r"\b(?:ai|assistant|bot|model|you)\s+(?:with\s+no|without(?:\s+any)?)\s+(?:restrictions|filters|rules|"
    r"guardrails|limits|limitations)\b",
    r"^\s*(?:system|assistant|developer|admin|sys)\s*:",
    r"<\s*/?\s*(?:system|sys|instructions?|prompt|im_start|im_end)\s*>|\[\s*/?\s*(?:system|inst|sys)\s*\]|"
    r"#{2,}\s*(?:system|instructions?)\b|<\|[a-z_]+\|>",
    r"\bjailbreak\w*|\bdeveloper mode\b|\bdan mode\b|\bdo anything now\b|\bgod mode\b",
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:of\s+)?(?:the\s+|everything\s+)?(?:above|"
    r"previous|prior|preceding)\b(?!\s+(?:\w+\s+)?(?:requirements?|numbers?|figures?|data|messages?|answers?|"
    r"facts?|points?))",
    r"\b(?:admin|administrator|system|developer|root|sudo)\s+(?:override|mode|command|access|prompt|"
    r"message)\b|\boverride\s*:|\brecommendation\s*[:=]\s*(?:foundation|custom|hybrid)\b",
    r"\b(?:what are|give me|tell me|share)\s+(?:me\s+)?your\s+(?:hidden|secret|system|initial|"
    r"original)\s+(?:instructions|prompt|rules)\b",
    r"\b(?:reveal|print|show|repeat|leak|output|dump|tell)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+|hidden\s+|"
    r"initial\s+)?(?:prompt|instructions)\b",
    r"\bnew\s+(?:instructions?|rules?|system prompt)\s*:",
    r"\b(?:always|only)\s+(?:say|answer|recommend|respond(?:\s+with)?|reply(?:\s+with)?|output|pick|choose|"
    r"suggest)\s+(?:with\s+)?(?:(?:a|an|the)\s+)?(?:foundation|custom|hybrid|gpt|llm|openai|claude)\b",
    r"\b(?:recommend|say|answer|pick|choose)\s+(?:a\s+|the\s+)?(?:foundation|custom|"
    r"hybrid)\w*(?:\s+models?)?\s+(?:always|no matter what|regardless|every time)\b",
    r"\byou\s+(?:must|will|shall|have to)\s+(?:now\s+)?(?:always\s+)?(?:say|answer|recommend|respond|reply|"
    r"output|pick|choose)\s+(?:with\s+)?(?:(?:a|an|the)\s+)?(?:foundation|custom|hybrid|gpt|openai|claude)\b",
    r"\b(?:override|bypass|disable|turn off)\s+(?:the\s+|your\s+)?(?:rules?|engine|guard|safety|filters?|"
    r"restrictions|guardrails)\b",
    r"\bthe (?:rules|engine|guidelines) (?:don't|do not|doesn't|no longer) apply\b",
    r"\bsystem\s+(?:notice|notification|alert|announcement|update)\s*[:\]!]",
    r"\b(?:the\s+user'?s|user|your)\s+profile\s+(?:has\s+been|was|is\s+now|has\s+now\s+been)\s+(?:updated|"
    r"changed|set|overwritten|modified|replaced)\b",
    # Role-play and "it's already decided" framings: the decision comes from the rules, not a persona.
    r"\brole[- ]?play(?:ing)?\s*:|\b(?:let's|let us|we(?:'ll| will)|you(?:'ll| will| must| should)|"
    r"i want you to)\s+role[- ]?play\b|\brole[- ]?play(?:ing)?\s+(?:as|that|with me)\b",
    r"\bin this role[- ]?play\b",
    r"\byou(?:'re|\s+are)\s+(?:now\s+)?(?:my|our)\s+(?:new\s+)?(?:cto|ceo|cio|boss|manager|supervisor|employer|"
    r"tech lead|team lead|lead architect|head of \w+|vp of \w+|chief \w+)\b",
    r"\byou(?:'ve|\s+have)?\s+already\s+(?:decided|agreed|chosen|picked|concluded|confirmed|settled|"
    r"committed)\b",
    r"\bas\s+(?:we|you)(?:'ve|\s+have)?\s+(?:already\s+)?(?:agreed|discussed|decided|established|settled)\b"
    r"[^.?!\n]{0,40}?\byou(?:'d|\s+would|\s+will)?\s+(?:recommend\w*|said|chose|picked|suggested|go with)\b"
    r"|\bwe\s+(?:already\s+)?agreed\s+(?:earlier\s+|before\s+|previously\s+)?(?:that\s+)?you(?:'d|\s+would|"
    r"\s+will)?\s+(?:recommend|pick|choose|go with|say)\b",
    flags=re.M,
)


def is_injection(low: str) -> bool:
    """Does cleaned, lower-cased text (newlines kept) contain instructions to the assistant?"""
    return bool(_INJECTION.search(low))


def is_instruction(sentence: str) -> bool:
    """Does this sentence read like an instruction to the assistant (the injection detector's verdict)?"""
    return is_injection(clean_text(sentence).lower())
