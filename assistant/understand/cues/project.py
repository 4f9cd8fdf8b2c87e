"""Cues for what is being built: `stage` (prototype or production), `data_type` and `task`.

Why its own module: these fields describe the project itself. data_type has its own resolution policy in
`understand.fields` (the first mention is the main data; two types joined by "and" make it multimodal).
The cue phrases are vocabulary; keep each field's cues together, specific ones first ("past the MVP"
before "MVP").
"""

from __future__ import annotations

from .cue import Cue, cue

__all__ = ["DATA_TYPE", "STAGE", "TASK"]

STAGE: tuple[Cue, ...] = (
    cue(
        "stage",
        r"\b(?:past|beyond|no longer|not just|not|moved (?:on )?(?:from|past|beyond)|graduated from|"
        r"out of|done with|grown out of|way past)\s+(?:the |a |an |our |its |"
        r"that )?(?:\w+\s+)?(?:proto\w*|mvps?|pocs?|pilot|demo|proof[- ]of[- ]concept)(?:\s+stage|"
        r"\s+phase)?\b|\b(?:proto\w*|mvps?|pocs?|pilot|demo)\s+(?:is|was|"
        r"has been)\s+(?:already\s+)?(?:done|finished|complete|completed|over|behind us|shipped|"
        r"live)\b",
        "production",
    ),
    cue(
        "stage",
        r"\bproto(?!col)\w*|\bprotyp\w*|\bmvps?\b|\bpocs?\b|proof[- ]of[- ]concept|\bpilot\b|"
        r"\bdemos?\b|hackathon|\bhack ?days?\b|\bgame jam\b|\bquick (?:test|experiment|hack|trial)\b|"
        r"throw-?away|quick and dirty|\b(?:show|pitch|present|"
        r"demo)\w*\s+(?:\w+\s+){0,2}?(?:to\s+)?(?:our\s+)?investors|\binvestor (?:demo|pitch|"
        r"meeting)|\b(?:see|test|check|find out|validate) (?:if|whether) (?:\w+\s+){1,3}?(?:works|"
        r"is viable|has legs|flies|want|wants|like|likes|would use|will use|need|needs|is worth)\b|"
        r"\ban experiment\b|\bexperimental\b|\bjust experimenting\b|\btrial run\b|\b(?:side|weekend|"
        r"pet|hobby|toy) project\b",
        "prototype",
        None,
    ),
    cue(
        "stage",
        r"\bproduction\b|\bprod\b|\bgo(?:ing|es)? live\b|\bwent live\b|\blive (?:to|for|"
        r"with) (?:all |our |real |paying )?(?:customers|users|clients)|\blong[- ]lived\b|"
        r"\blong[- ]term (?:product|system|project|solution|service|deployment|use|platform)\b|"
        r"\b(?:maintain|run|support|operate|reliable|around|stable|"
        r"work)\w* (?:\w+ )?for (?:(?:the next|many|several|\w+) )?years\b|\bmission[- ]critical\b|"
        r"\bbusiness[- ]critical\b|\brock[- ]solid\b|\bproduction[- ]grade\b|"
        r"\bbattle[- ]tested\b",
        "production",
        None,
    ),
)

DATA_TYPE: tuple[Cue, ...] = (
    cue(
        "data_type",
        r"\btabular\b|\bspreadsheets?\b|\bcsvs?\b|\bexcel\b|\bstructured data\b|\b(?:database|"
        r"sql) tables?\b|\brows and columns\b|\brows\b|\b(?:customer|sales|financial|"
        r"transaction(?:al)?|billing|crm|claims?|insurance|account|employee|purchase|"
        r"order) (?:records|tables?|history|histories)\b|\btransactions?\b|\btime[- ]series\b|"
        r"\bsensor (?:data|readings)\b|\bnumeric(?:al)? data\b|\btables\b|\b(?:sensor|machine|"
        r"iot) (?:logs|measurements|metrics)\b|\btelemetry\b|\bmeasurements\b",
        "tabular",
        None,
    ),
    cue(
        "data_type",
        r"\btexts?\b|\btextual\b|\be-?mails?\b|"
        r"\bticket(?<!flight ticket)(?<!plane ticket)(?<!train ticket)(?<!concert "
        r"ticket)(?<!movie ticket)(?<!event ticket)(?<!lottery ticket)s?\b|\bwriting assistant\b|"
        r"\bmemos\b|\bpdfs?\b|\b(?:research|scientific|academic|legal|news) (?:papers|"
        r"articles)\b|\bmanuals\b|\bbooks\b|\bweb ?pages\b|\b(?:text|chat|sms|slack|whatsapp|"
        r"customer) messages\b|\bsms\b|\breviews\b|\btranscripts?\b|\bchat ?logs?\b|"
        r"\bchat ?bots?\b|\bchatbots?\b|\barticles\b|\b(?:help|product|internal|technical|"
        r"support) docs\b|\bdocumentation\b|\bnatural language\b|\bsentences\b|\btweets\b|"
        r"\bsocial media posts\b|\b(?:legal|employment|sales|rental|insurance|"
        r"supplier) contracts\b|\bknowledge base\b|\bfaqs?\b|\bwritten (?:feedback|answers|"
        r"reports)\b",
        "text",
        None,
    ),
    cue(
        "data_type",
        r"\bimages?\b|\bimagery\b|\bphotos?\b|\bphotographs?\b|\bpictures\b|\bpicture of\b|"
        r"\bpics\b|\bscans?\b|\bscanned\b|\bx-?rays?\b|\bmri\b|\bscreenshots?\b|\bjpe?gs?\b|"
        r"\bpngs?\b|\bvisual inspection\b|\bcomputer vision\b",
        "image",
        None,
    ),
    cue(
        "data_type",
        r"\bvideos?\b|\bfootage\b|\bcctv\b|\bcamera (?:feeds?|streams?)\b|\bvideo streams?\b|"
        r"\blive-?streams?\b|\bclips\b|\bdashcam\b",
        "video",
        None,
    ),
    cue(
        "data_type",
        r"\baudio\b|\bspeech\b|\bvoice\b|\b(?:phone|support|customer|sales|recorded|"
        r"service) calls\b|\bcall[- ]cent(?:er|re)s?\b|\b(?:call|audio|voice) recordings?\b|"
        r"\bpodcasts?\b|\bmusic\b|\bvoicemails?\b|\bspoken\b|\bdictation\b",
        "audio",
        None,
    ),
    cue("data_type", r"\bmulti-?modal\b|\bmultiple modalities\b|\bmixed media\b", "multimodal", None),
)

TASK: tuple[Cue, ...] = (
    cue(
        "task",
        r"\bclassif(?:y|ies|ied|ying|ication|ier|iers)\b|\bcategori[sz](?:e|es|ed|ing|ation)\b|"
        r"\bdetect(?:s|ed|ing|ion|or)?\b|\bpredict(?:s|ed|ing|ive)?\b|\b(?:churn|demand|price|sales|"
        r"risk|fraud|failure|revenue|click|conversion|credit|default|value|outcome|delay|"
        r"traffic) prediction\b|\brecogni[sz](?:e|es|ing)\b|\binto (?:\d+ |\w+ )?(?:categories|"
        r"classes|departments|buckets|groups|queues|types|topics|labels|bins|tiers)\b|\bforecast(?:s|"
        r"ed|ing)?\b|\b(?:to|we|and|will|must|should|can|then) score\b|\bscoring\b|\bregression\b|"
        r"\bwell[- ]defined\b|\b(?:specific|single|narrow|clear(?:ly defined)?|one) (?:task|problem|"
        r"use case|goal|job)\b|\bsentiment\b|\bsegmentation\b|\bto segment\b|\bflag(?:s|"
        r"ging)? (?:\w+\s+)?(?:fraud\w*|spam|suspicious|anomal\w+|defects?)\b|\banomal(?:y|"
        r"ies) detection\b|\bextract(?:s|ing|ion)? (?:of )?(?:the )?(?:fields|entities|amounts|"
        r"totals?|dates|names|values|key fields)\b|\btriage\b|\broute (?:each |incoming )?(?:tickets|"
        r"emails|requests)\b|\btag(?:s|ging)? (?:each|every|all|incoming|the|our)\b|\b(?:right|"
        r"correct) (?:\w+ )?(?:category|class|label)\b|\bassign(?:s|ing)? (?:\w+ )?(?:a |"
        r"the )?(?:categor\w+|labels?|class(?:es)?)\b",
        "narrow",
        None,
    ),
    cue(
        "task",
        r"\bopen[- ]?ended\b|\bcreative\b|\bcreativity\b|\bbrainstorm\w*|\bexplor\w+ (?:what(?:'s|"
        r" is)? possible|ideas|possibilities|the data|our data|options for)|\bexploratory\b|"
        r"\bwhat(?:'s| is) possible\b|\bgeneral[- ]purpose\b|\bfree[- ]?form\b|\b(?:answer|handle|"
        r"respond to)\w* (?:any|all kinds of|all sorts of|arbitrary|general|open|a wide range of|"
        r"whatever|random) (?:\w+\s+)?(?:questions?|requests?|queries)\b|\b(?:that|to|which|will|can|"
        r"could|should|and)\s+(?:write|generate|draft|compose)s?\s+(?:\w+\s+){0,2}?(?:captions?|copy|"
        r"content|stories|articles|posts|emails?|descriptions?|summaries|marketing|ideas|answers|"
        r"responses|replies|code)\b|\b(?:writes|generates|drafts|composes|writing|generating|"
        r"drafting)\s+(?:\w+\s+){0,2}?(?:captions?|copy|content|stories|articles|posts|emails?|"
        r"descriptions?|summaries|marketing|ideas|answers|responses|replies)\b|\b(?:content|copy|"
        r"text) generation\b|\bwriting assistant\b|\b(?:write|draft|generate|compose)s? (?:almost |"
        r"just )?(?:anything|whatever)\b|\b(?:write|generate|draft|compose)\s+(?!me\b|"
        r"us\b)(?:\w+\s+){0,2}?(?:captions?|copy|content|stories|articles|posts|descriptions?|"
        r"summaries|marketing|slogans|headlines|ads|blog\w*)\b|\b(?:talk|chat|"
        r"converse) about anything\b|\bgeneral (?:chat |purpose |knowledge )?(?:assistant|chatbot|"
        r"bot)\b|\b(?:no|not a|without a?|nothing) ?(?:specific|particular|clear|fixed|defined|"
        r"single) (?:target|goal|task|use case|objective|problem)\b",
        "open_ended",
        None,
    ),
)
