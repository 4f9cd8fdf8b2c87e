"""The LLM stack (LangChain, the OpenAI client, assistant.llm) loads only when an LLM is configured.

Integration: the chat probe runs a whole offline turn in a fresh interpreter, with the real retrieval stack
(the knowledge store and the embedding model), to see what that path imports."""

from __future__ import annotations

import json


def _modules_after(code: str) -> list[str]:
    import subprocess
    import sys

    prefixes = ("langchain", "openai", "assistant.llm")
    probe = f"; import json; print(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))"
    out = subprocess.run(
        [sys.executable, "-c", "import sys; " + code + probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_llm_stack_loads_only_when_an_llm_is_configured() -> None:
    recommend = (
        "from click.testing import CliRunner; from assistant.cli import main; "
        "CliRunner().invoke(main, ['recommend', '--set', 'data_type=tabular', '--json'])"
    )
    assert _modules_after(recommend) == []  # the recommend path: no LangChain at all
    chat = (
        "from assistant.conversation import Conversation; from assistant.settings import Settings; "
        "from assistant.session import Session; Conversation(Settings()).respond(Session(), 'why?')"
    )
    loaded = _modules_after(chat)  # llm none: (retrieval may use langchain_core for its splitter/embeddings)
    assert not [m for m in loaded if m.startswith(("langchain_openai", "openai", "assistant.llm"))], loaded
