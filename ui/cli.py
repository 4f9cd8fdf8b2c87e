"""The `modelchoice ui` command, registered through the `modelchoice.commands` entry point.

The front end owns its command, so the core CLI never imports Gradio or this package. With `--workers N`
it starts the scale-out stack instead of one server (see `cluster` and docs/deploy.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.cli import conversation_for
from assistant.cli_options import llm_option


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind. The default is this machine only; 0.0.0.0 opens it to your network.",
)
@click.option(
    "--port",
    default=7860,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: the first free one from 7860). With --workers N, nginx listens here and the app "
    "processes on the next N ports.",
)
@llm_option
@click.option(
    "--auth",
    metavar="USER:PASS",
    envvar="MODELCHOICE_UI_AUTH",
    help="Require this login (MODELCHOICE_UI_AUTH keeps it out of the process list). Failed logins are "
    "throttled per client.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="App processes. Above 1: that many on consecutive ports behind nginx, sharing one Chroma server "
    "(MODELCHOICE_CHROMA_URL, or one started here).",
)
@click.option(
    "--run-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --workers: where nginx.conf, the logs and cluster.json go (default: a new temp dir).",
)
def ui(host: str, port: int, llm: str | None, auth: str | None, workers: int, run_dir: Path | None) -> None:
    """Start the web app: the chat beside the profile, the recommendation and its reasons."""
    credentials = None
    if auth is not None:
        user, sep, password = auth.partition(":")
        if not (sep and user and password):
            raise click.BadParameter("expected USER:PASS", param_hint="--auth")
        credentials = (user, password)
    if host not in {"127.0.0.1", "localhost", "::1"} and credentials is None:
        click.secho(
            f"warning: serving on {host} without --auth: anyone who can reach it can use it",
            fg="yellow",
            err=True,
        )
    if workers > 1:
        from assistant import ModelchoiceError

        from .cluster import run

        if port == 0:
            raise click.BadParameter("give a port: the app processes take the next ones", param_hint="--port")
        try:
            # The login reaches the app processes through the environment, never their command line.
            run(workers, host=host, port=port, run_dir=run_dir, llm=llm, echo=sys.stderr, auth=auth)
        except ModelchoiceError as exc:
            raise click.ClickException(str(exc)) from None
        return
    from .app import launch

    launch(conversation_for(llm), host=host, port=port or None, auth=credentials)
