"""``badgebridge users``: who may log in to the admin console (``badgebridge web``)."""

from __future__ import annotations

import sys

import click

from badgebridge.commands.base import Group, State, json_option, lazy_import, page_options, pass_state
from badgebridge.core.errors import InvalidInput
from badgebridge.core.model import Role
from badgebridge.core.render import emit_listing

user_service = lazy_import("badgebridge.core.services.users")

password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin (the default without a terminal)."
)


@click.group(cls=Group)
def users() -> None:
    """Console users: admins change things, viewers only look."""


@users.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.ADMIN.value,
    show_default=True,
    help="admin may change things; viewer may only look.",
)
@password_stdin_option
@pass_state
def users_add(state: State, email: str, role: str, password_stdin: bool) -> None:
    """Create a console user. The password comes from a hidden prompt or stdin, never from argv."""
    user = user_service.add(state.db, email, _password(password_stdin), role)
    click.echo(f"User {user.email} added ({user.role}); badgebridge web lets them log in.")


@users.command("password")
@click.argument("email")
@password_stdin_option
@pass_state
def users_password(state: State, email: str, password_stdin: bool) -> None:
    """Give a console user a new password (hidden prompt or stdin); their sessions end."""
    user = user_service.set_password(state.db, email, _password(password_stdin))
    click.echo(f"New password set for {user.email}; their console sessions have ended.")


def _password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("no password on stdin")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("list")
@json_option
@page_options
@pass_state
def users_list(state: State, as_json: bool, page) -> None:
    """List console users by email."""
    listing = user_service.page_users(state.db, page)
    empty = "no more users" if page.after else "no users yet (users add EMAIL creates one)"
    emit_listing(
        (user.as_dict() for user in listing), listing, as_json, ["email", "role", "last_login_at"], empty
    )


@users.command("remove")
@click.argument("email")
@pass_state
def users_remove(state: State, email: str) -> None:
    """Remove a console user; their open sessions end at their next request."""
    user_service.remove(state.db, email)
    click.echo(f"Removed user {email.strip().lower()}.")
