"""What a message asks for: the intent patterns and the decision between them.

Why its own module: the intents compete (a what-if often contains "why", a description often ends with
"what should we use?"), so they are decided in one place, by priority: injection (see `injection`) > reset >
undo > adopt/discard > what_if > why_not > why > change_mind > recommend > describe (facts found) > concept >
help > out_of_scope. Text with no recognisable content is out_of_scope, but a statement about the project
with no readable fact ("our ML guy left") is describe with no changes, so the session can ask its next
question. A general question ("what are the downsides of real-time edge models?") is concept: its field
words are topics, not facts. The phrases are vocabulary; keep each intent's patterns together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..types import Intent, Option, Value
from .patterns import LazyRe, rx
from .replies import Polarity

__all__ = ["INTENTS", "TARGETS", "decide_intent", "pending_choice"]

INTENTS: tuple[Intent, ...] = tuple(i for i in Intent if i is not Intent.FORM)  # what a message can mean
TARGETS: tuple[Option, ...] = tuple(Option)  # what a why_not can ask about

_RESET = rx(
    r"\bstart(?:ing)? (?:all )?over\b",
    r"\b(?:start|begin)(?:ning)? (?:again|afresh|anew|fresh|from scratch|from zero|from the (?:top|"
    r"beginning))\b",
    r"\b(?:clear|wipe|erase|delete|forget) (?:everything|it all|all of it|all|the (?:whole )?profile|"
    r"my profile|our profile|the session)\b",
    r"\breset\b",
    r"\bblank (?:profile|slate)\b",
    r"\bclean slate\b",
    r"\bnew (?:profile|session|chat)\b",
    r"\brestart\b",
    r"\b(?:clear|wipe|clean) the slate\b",
)
_UNDO = rx(
    r"\bundo\b",
    r"\bgo back (?:one|a|1) step\b",
    r"\b(?:revert|undo|cancel|remove) (?:my|the|that) (?:last|previous) (?:answer|change|message|edit|input|"
    r"reply)\b",
    r"\bstep back\b",
    r"\btake (?:that|it|the last (?:one|thing|answer)) back\b",
    r"\brevert (?:that|it|the last (?:change|thing|step|answer|edit))\b",
    r"\bscratch that\b",
    r"\b(?:remove|cancel|roll back) (?:that|the) last (?:change|answer|thing|edit)\b",
)
_ADOPT = rx(
    r"\badopt\b",
    r"\blet'?s keep (?:that|this|it|the new one)\b",
    r"\bgo (?:with|for) (?:that|this|it)\b(?! (?:model|vendor|api))",
    r"\bmake (?:that|this|it) (?:our|the) (?:new )?(?:plan|profile|baseline|setup|reality)\b",
    r"\bapply (?:that|this|the) (?:scenario|what-?if|what if|change|changes|hypothetical)\b",
    r"\bapply (?:that|this|it)\s*(?:$|[.!,]|to (?:our|the|my) profile)",
    r"\bkeep (?:the|this|that) (?:what-?if|what if|hypothetical|new|scenario|changed|modified)\b",
    r"\b(?:use|take|accept) (?:that|this|the) (?:scenario|what-?if|hypothetical|version)\b",
    r"\bswitch to (?:that|this|it|the what-?if|the scenario)\b",
)
_DISCARD = rx(
    r"\bdiscard\b",
    r"\bkeep (?:the|our) (?:original|old|real|current|previous|actual)\b",
    r"\bstick (?:with|to) (?:what we had|the original|our original|our real|the real|the old|the current|"
    r"our current|before|the previous|our actual)\b",
    r"\b(?:forget|drop|scrap|ditch|discard|ignore|throw away|cancel) (?:that|the|this) (?:hypothetical|"
    r"what-?if|what if|scenario)\b",
    r"\bgo back to (?:our|the) (?:real|original|actual|previous|old|current) (?:setup|profile|situation|one|"
    r"version|plan|data|answer)\b",
    r"\b(?:revert|go back|return) to (?:the )?(?:original|real)\b",
    r"\b(?:go back|revert|return) to (?:how it was|the way it was|how things were|what we had)\b",
)
_ADOPT_PENDING = rx(
    r"\b(?:let'?s|lets) do (?:that|it|this)\b",
    r"\bdo it\b",
    r"\bgo for it\b",
    r"\bsounds good\b",
    r"\bdeal\b",
    r"\bapply\b",
    r"\bkeep it\b",
    r"\bmake it so\b",
    r"^\W*(?:ok|okay|great|perfect|fine|good)\W*$",
)
_DISCARD_PENDING = rx(
    r"\bnever ?mind\b",
    r"\bforget (?:it|that)\b",
    r"\bno thanks?\b",
    r"\bleave it\b",
    r"\bdon't\b",
    r"\bkeep (?:it )?as (?:it was|is|before)\b",
    r"\bdrop (?:it|that)\b",
)

_WHAT_IF = rx(
    r"\bwhat if\b",
    r"\bwhat about if\b",
    r"\bsuppos(?:e|ing)\b",
    r"\bimagine\b",
    r"^\W*and if\b",
    r"\bhypothetical(?:ly)?\b",
    r"\bwould (?:it|that|this|the (?:answer|recommendation|result|outcome)|anything|your (?:answer|"
    r"recommendation)) (?:\w+ )?(?:change|be different|flip)\b.{0,80}?\bif\b",
    r"\bwhat would (?:happen|you (?:say|recommend|suggest)) if\b",
    r"\blet'?s say\b",
    r"\bin a world where\b",
    r"\bpretend (?:that )?we\b",
    r"\bassume (?:that )?we\b",
    r"\bif we (?:had|were|didn't|did not|could|got|hired|needed|only had)\b.{0,80}?\bwould\b",
    r"^\W*say\s+(?:that\s+)?(?:we|our|the|it|they|there)\b",
    r"\bthen what\b",
    r"\bwhat happens if\b",
    r"\bhow about if\b",
)
_WHY_NOT = rx(
    r"\bwhy\s+(?:not|wouldn't|wouldnt|shouldn't|shouldnt|couldn't|couldnt|don't|dont|didn't|didnt|can't|cant|"
    r"isn't|isnt|aren't|arent|won't|wont)\b",
    r"\bwhy (?:would|should) (?:we|i) not\b",
    r"\bhow come (?:you |it's |it is |this is |that's |you're )?(?:didn't|didnt|don't|dont|did not|do not|"
    r"not|no|won't|wouldn't|isn't)\b",
    r"\bwhat about (?:a |an |the |using |going |just )?(?=custom|foundation|hybrid|llm|gpt|an? (?:api|llm))",
    r"\b(?:isn't|wouldn't|won't|doesn't) (?:a |an |the )?(?:custom|foundation|"
    r"hybrid)\b[^.?!]{0,60}?\b(?:be )?(?:better|work|make more sense|fit)\b",
)
_TARGETS: dict[Option, LazyRe] = {
    Option.CUSTOM: LazyRe(
        r"\bcustom\b|\b(?:our|my|an?|its) own\b|\bbuild(?:ing)? (?:it |one |"
        r"a model )?(?:ourselves|in[- ]house)\b|\btrain(?:ing)? (?:\w+\s+){0,2}?(?:ourselves|"
        r"from scratch|in[- ]house)\b|\bfrom scratch\b|\bbespoke\b|\bin[- ]house model\b|"
        r"\btask[- ]specific\b"
    ),
    Option.FOUNDATION: LazyRe(
        r"\bfoundation\b|\bllms?\b|\bgpt\S*|\bchat-?gpt\b|\bclaude\b|\bgemini\b|\bopenai\b|"
        r"\bapis?\b|\boff[- ]the[- ]shelf\b|\bpre-?trained\b|\blarge language models?\b|"
        r"\bgen(?:erative)? ?ai\b"
    ),
    Option.HYBRID: LazyRe(r"\bhybrid\b|\bcombin\w+|\bboth\b|\bmix\w*"),
}
_WHY = rx(
    r"^\W*(?:(?:ok|okay|so|but|and|hmm+|hm+|wait|really|ah|oh|interesting|sure|right|um+|"
    r"uh+)\W+)*why\b(?!\s+(?:is|are|do|does|would|can|should)\s+(?:a |an |the )?(?:foundation|custom|hybrid|"
    r"llms?|models?|fine-?tuning|distillation|rag|embeddings?|labell?ing|transformers?)\b)",
    r"\bwhy (?:do|did|would|does|is|are|should|was|were) (?:you|it|that|this|the recommendation)\b",
    r"\bexplain (?:why|the reason|your reason|the rationale|how you (?:decided|got|chose|came))",
    r"\breason(?:s|ing)? (?:for|behind)\b",
    r"\b(?:main|key|top) reasons?\b",
    r"\brationale\b",
    r"\bjustify (?:that|this|it|your)\b|\b(?:can|could|would) you justify\b",
    r"\bhow did you (?:decide|arrive|come to|get to|reach|pick|choose)\b",
    r"\bwhat(?:'s| is| are|s) (?:the|your) reasons?\b",
    r"\bon what basis\b",
    r"\bwhat makes you (?:say|think|recommend|suggest)\b",
    r"\bwhat makes (?:a |an |the )?(?:custom|foundation|hybrid|it|this|that)\b",
    r"\bwhy that\b",
    r"\bhow so\b",
    r"\bhow (?:sure|confident|certain) are you\b",
    r"\bwhy\W*$",
    r"\b(?:tell|show|walk) (?:me|us) (?:through )?(?:why|the (?:reasoning|logic|reasons))\b",
    r"\bbehind (?:that|this|the|your) (?:recommendation|choice|answer|decision|verdict)\b",
)
_CHANGE_MIND = rx(
    r"\bchange your mind\b",
    r"\b(?:recommend|suggest|pick|choose) (?:something|anything) (?:else|different)\b",
    r"\b(?:another|a different|the other) (?:option|answer|recommendation|approach|choice)\b",
    r"\b(?:flip|change|switch|reverse)\w* (?:your|the) (?:recommendation|answer|decision|verdict|mind)\b",
    r"\brecommendation (?:flip|change|switch)\w*",
    r"\b(?:which|what) (?:conditions|circumstances)\b",
    r"\bwhat would (?:have to|need to|it take)\b",
    r"\bwhat would make you\b",
    r"\bwhat (?:could|would|might) change (?:the|your) (?:answer|recommendation|decision)\b",
    r"\bwhat would (?:flip|change) (?:it|that|this)\b",
    r"\bwhat (?:are|is) (?:the )?deciding factors?\b",
    r"\bhow (?:robust|stable|solid|firm|fragile|sensitive|final) is (?:this|the|that|your)\b",
    r"\b(?:which|what) (?:facts?|fields?|answers?|things?|inputs?) (?:would|could|might) (?:flip|change|"
    r"alter)\b",
    r"\btipping point\b",
    r"\bat what point\b",
    r"\bbreak-?even\b",
)
_RECOMMEND = rx(
    r"\brecc?om+e?nd\w*",
    r"\bsugg?est\w*",
    r"\bwhat (?:should|shall|would|do|could|can) (?:we|i) (?:use|do|pick|choose|go with|go for|build|buy|try|"
    r"start with)\b",
    r"\bwhich (?:approach|option|one|model|way|path|route|solution|of (?:these|them|the three|the options)|"
    r"is (?:best|better))\b",
    r"\bwhat(?:'s| is| would be|s) (?:your|the) (?:advice|verdict|take|pick|call|answer|best option|"
    r"best choice|best approach|best bet|opinion)\b",
    r"\bshould (?:we|i) (?:use|build|go|train|buy|pick|choose|start|fine-?tune|get)\b",
    r"\bwhat do you (?:think|advise|propose)\b",
    r"\badvi[sc]e\b",
    r"\bbest (?:option|approach|choice|fit) for us\b",
    r"\b(?:which|what) (?:would|should|do) you (?:pick|choose|go with|go for|use|do|suggest|advise)\b",
    r"\bin (?:our|my) (?:shoes|position|place)\b",
    r"\b(?:right|best|good|better|smart|wise)\s+(?:call|choice|fit|option|idea|approach|bet|move|"
    r"way to go)\b",
    r"\bthoughts\s*\?|\bany (?:thoughts|ideas|advice)\b|\bwhat do you reckon\b",
    r"\bhelp (?:us|me) (?:decide|choose|pick)\b",
    r"\bwhat(?:'s| is) the (?:verdict|decision)\b",
    r"\bbuild or buy\b",
)
_FIRST_PERSON = LazyRe(
    r"\b(?:we|we're|we've|we'd|we'll|our|ours|us|i'm|i've|my|mine)\b|\bi (?:have|need|"
    r"want|am|run|work|plan)\b"
)
_CONCEPT_FORM = rx(
    r"^\W*(?:(?:ok|okay|so|and|but|also|hmm+|quick question|question|hey|hi)\W+)*(?:what(?:'s| is| are| was|"
    r" were| does| do|s)|how (?:much |long |many )?(?:does|do|is|are|can|would)|explain|define|describe|"
    r"tell me (?:about|"
    r"more about|what)|can you (?:explain|describe|tell me about|define)|is there|are there|when (?:should|"
    r"would|do|does|is)|why (?:are|is|do|does|would|can|should))\b",
    r"\bdifferences? between\b",
    r"\bpros and cons\b",
    r"\bcompare\b",
    r"\b(?:downsides?|drawbacks?|upsides?|advantages?|disadvantages?|benefits?|strengths?|weaknesses?|"
    r"trade-?offs?|limitations?|risks?|costs?) (?:of|with|for)\b",
    r"\bwhat (?:does|do)\b.{0,80}?\bmean\b",
    r"\bhow (?:does|do)\b.{0,80}?\bwork\b",
    r"\bwhat(?:'s| is) (?:a|an)\b",
)
_CONCEPT_TERM = LazyRe(
    r"\bfoundation\b|\bcustom models?\b|\bhybrid\b|\bmodels?\b|\bllms?\b|\bfine-?tun\w*|\bdistill\w*|\brag\b|"
    r"\bretrieval\b|\bembeddings?\b|\bfeature extraction\b|\btransfer learning\b|\block-?in\b|\blabell?ing\b|"
    r"\bannotation\b|\bprompt\w*|\btraining\b|\binference\b|\blatency\b|\bedge\b|\bapis?\b|"
    r"\bopen[- ]weights?\b|\bopen[- ]source\b|\bslms?\b|\bbootstrapp\w*|\bsynthetic data\b|\bzero-?shot\b|"
    r"\bfew-?shot\b|\bmachine learning\b|\bml\b|\bai\b|\bdeep learning\b|\bneural\b|\btransformers?\b|"
    r"\bhallucinat\w*|\bsam\b|\bstable diffusion\b|\bchat-?gpt\b|\bgpt\S*|\bvendor\b|\boverfit\w*|"
    r"\bdatasets?\b|\bmlops\b|\bquantiz\w*|\bon-?device\b|\bself-?host\w*|\bgdpr\b|\bprivacy\b|\btabular\b|"
    r"\bmultimodal\b|\bpre-?train\w*|\bsupervised\b|\bunsupervised\b|\bclassification\b|\bsegmentation\b|"
    r"\bdata science\b|\bcomputer vision\b|\bnlp\b|\bagents?\b|\btokens?\b|\bcontext window\b|\bgpus?\b"
)
_HELP = rx(
    r"^\W*(?:(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening)|hallo)\W*)+(?:there|"
    r"all|everyone|team)?\W*$",
    r"\bwhat (?:can|do) you do\b",
    r"\bwhat are you\b",
    r"\bwho are you\b",
    r"\bhow (?:does|do) (?:this|it|you|this (?:tool|thing|assistant|app)) work\b",
    r"\bhow (?:do|can|should) (?:i|we) (?:use|start|begin)\b",
    r"\bwhat (?:kind|sort|type)s? of (?:questions|things)\b",
    r"\bwhat can (?:i|we) ask\b",
    r"\bhow can you help\b",
    r"^\W*help\W*$",
    r"\bhelp me get started\b",
    r"\bget(?:ting)? (?:started|going)\b",
    r"\bwhat (?:info|information|details|data|facts) (?:do|would|will) you need\b",
    r"\bwhat do you need (?:from|to know)\b",
    r"\bwhat is this\b",
    r"^\W*(?:menu|commands|options|usage)\W*$",
    r"\bwhat (?:should|do) (?:i|we) tell you\b",
    r"\bwhat do you need to know\b",
    r"^\W*(?:thanks|thank you|thx|ty|ok|okay|cool|great|nice|got it|alright|sure|yes|no|yep|nope|fine|"
    r"perfect|awesome)\W*$",
)
_OUT_OF_SCOPE = LazyRe(
    r"\bweather\b|\bpoems?\b|\bpoetry\b|\bhaiku\b|\bsongs?\b|\blyrics\b|\bjokes?\b|\brecipes?\b|\bcook\w*|"
    r"\btax(?:es)?\b|\btax return\b|\bflights?\b|\bhotels?\b|\bbook me\b|\brestaurants?\b|\bmovies?\b|"
    r"\bfootball\b|\bsoccer\b|\bhoroscope\b|\bdating\b|\blottery\b|\bstock tips?\b|\bbitcoin\b|\bhomework\b|"
    r"\bessay\b|\bpizza\b|\bfood\b|\bvacation\b|\bholiday\b|\bgifts?\b|\bgame\b|\buseless\b|\bstupid\b|"
    r"\bidiot\w*|\bdumb\b|\bmoron\b|\bjunk\b|\btrash\b|\bgarbage\b|\bsucks?\b|\bshut up\b|\bhate you\b|"
    r"\bworthless\b|\bpathetic\b|\bf+u+c+k\w*|\bshit\w*|\bcrap\b"
)

_ON_TOPIC = LazyRe(
    r"\b(?:data|dataset|datasets|documents?|records|files|archive|models?|ml|ai|llms?|team|engineers?|users?|"
    r"customers?|clients?|app|application|product|system|platform|service|project|pipeline|budget|apis?|"
    r"traffic|requests|labels?|latency|deploy\w*|infra\w*|servers?|cloud|gpus?|training|inference|prototype|"
    r"production|vendors?|privacy|use case|accuracy|classifier|chatbot|assistant|cameras?|sensors?|devices?|"
    r"phones?|video|images?|text|audio|costs?|code|content|recommendation|reports?|stack|auditors?|"
    r"regulators?)\b"
)

_SENTENCE = re.compile(r"[^.?!]+[.?!]*")
_OPTION = re.compile(r"\b(?:foundation|custom|hybrid)\b")


def pending_choice(text: str, polarity: Polarity | None) -> Intent | None:
    """With a what-if waiting: ADOPT or DISCARD when the reply says which (yes/no-like replies count)."""
    if polarity == "no" or _DISCARD.search(text) or _DISCARD_PENDING.search(text):
        return Intent.DISCARD
    if polarity == "yes" or _ADOPT.search(text) or _ADOPT_PENDING.search(text):
        return Intent.ADOPT
    return None


def decide_intent(
    text: str, changes: Mapping[str, Value], pending: Intent | None, answered: bool
) -> tuple[Intent, Option | None]:
    """The intent of cleaned, lower-cased, one-line text (and the option a why_not asks about), by priority.
    `changes`: the facts the text states; `pending`: adopt/discard of a waiting what-if; `answered`: the
    text answered the assistant's question. The injection check comes first and is not repeated here."""
    if _RESET.search(text):
        return Intent.RESET, None
    if _UNDO.search(text):
        return Intent.UNDO, None
    if pending:
        return pending, None
    if _DISCARD.search(text):
        return Intent.DISCARD, None
    if _ADOPT.search(text):
        return Intent.ADOPT, None
    if _OUT_OF_SCOPE.search(text) and not changes and not _ON_TOPIC.search(text):
        return Intent.OUT_OF_SCOPE, None  # "recommend me a pizza place": an explicit off-topic request
    if _WHAT_IF.search(text):
        return Intent.WHAT_IF, None
    why_not = _WHY_NOT.search(text)
    if why_not:
        target = _why_not_target(text, why_not.start())
        if target:
            return Intent.WHY_NOT, target
        return Intent.WHY, None
    if _WHY.search(text):
        return Intent.WHY, None
    if _CHANGE_MIND.search(text):
        return Intent.CHANGE_MIND, None
    if _RECOMMEND.search(text) or _asks_between_options(text):
        return Intent.RECOMMEND, None
    concept = bool(_CONCEPT_FORM.search(text) and _CONCEPT_TERM.search(text))
    if concept and not _FIRST_PERSON.search(text):
        return Intent.CONCEPT, None  # a general question: its field words are topics, not facts
    if changes or answered:
        return Intent.DESCRIBE, None
    if concept:
        return Intent.CONCEPT, None
    if _OUT_OF_SCOPE.search(text):
        return Intent.OUT_OF_SCOPE, None
    if _HELP.search(text):
        return Intent.HELP, None
    if _ON_TOPIC.search(text):
        # About the project but no fact we can read ("our ML guy left last year"): describe with no
        # changes, so the session asks its next question instead of calling it off-topic.
        return Intent.DESCRIBE, None
    return Intent.OUT_OF_SCOPE, None


def _asks_between_options(text: str) -> bool:
    """ "foundation model, custom model or hybrid?", "custom model yes or no?" (checked per sentence: one
    regex for this would backtrack badly on long pastes)."""
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        if "?" in sentence and " or " in sentence:
            options = set(_OPTION.findall(sentence))
            if len(options) >= 2 or (options and "yes or no" in sentence):
                return True
    return False


def _why_not_target(text: str, start: int) -> Option | None:
    """The option named first after the why-not ("why not just call an LLM?" -> foundation)."""
    best: tuple[int, Option] | None = None
    for option, pattern in _TARGETS.items():
        m = pattern.search(text, start)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), option)
    return best[1] if best else None
