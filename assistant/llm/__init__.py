"""The optional LLM layer: the rules decide, the LLM only rephrases (behind the guard) and reads messages
(behind the evidence checks). Imported only when settings.llm != "none"; LangChain loads on first use.

One concern per module, each importing only the ones above it:
    server       the local llama-cpp-python server process (`LocalServer`, `local_server`, `free_port`)
    deadline     the per-turn time budget, enforced at the socket (`Deadline`)
    client       endpoint, chat model, bounded retries and error classification (`stream_text`)
    prompts      what the LLM sees (`build_messages`, `passages_for`) and the deterministic frame
    writer       `LLMWriter`: the guarded streaming writer (the `Writer` protocol)
    evidence     facts only from evidence: does the user's text state an LLM-proposed fact?
    understander `LLMUnderstander`: structured-output understanding merged with the offline reading
"""

from ..errors import LLMError, LLMErrorKind
from .client import Endpoint, StreamStats, chat_model, classify, endpoint, invoke_bounded, stream_text
from .deadline import Deadline
from .prompts import Shown, build_messages, frame_for, passages_for, trim
from .server import LocalServer, find_local_model, free_port, local_server, stop_local_server
from .understander import LLMUnderstander, merge_turn, turn_schema
from .writer import LLMWriter, notice_for

__all__ = [
    "Deadline",
    "Endpoint",
    "LLMError",
    "LLMErrorKind",
    "LLMUnderstander",
    "LLMWriter",
    "LocalServer",
    "Shown",
    "StreamStats",
    "build_messages",
    "chat_model",
    "classify",
    "endpoint",
    "find_local_model",
    "frame_for",
    "free_port",
    "invoke_bounded",
    "local_server",
    "merge_turn",
    "notice_for",
    "passages_for",
    "stop_local_server",
    "stream_text",
    "trim",
    "turn_schema",
]
