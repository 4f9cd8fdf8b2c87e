"""The `modelchoice ui` command, registered through the `modelchoice.commands` entry point.

The front end owns its command, so the core CLI never imports Gradio or this package.
"""

from __future__ import annotations

import click

from assistant.cli import conversation_for, llm_option


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
    help="Port (0: the first free one from 7860).",
)
@llm_option
@click.option(
    "--auth",
    metavar="USER:PASS",
    envvar="MODELCHOICE_UI_AUTH",
    help="Require this login (MODELCHOICE_UI_AUTH keeps it out of the process list).",
)
def ui(host: str, port: int, llm: str | None, auth: str | None) -> None:
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
    from .app import launch

    launch(conversation_for(llm), host=host, port=port or None, auth=credentials)
