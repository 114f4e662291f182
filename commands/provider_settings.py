"""Connection settings as options, built from the installed providers' settings schemas."""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import click

from badgebridge.core.errors import InvalidInput

VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ProviderSettingsCommand(click.Command):
    """A command whose options include every installed provider's settings.

        A setting ``org_id`` becomes ``--org-id``; a secret setting ``token`` (``writeOnly`` in the
        provider's schema) becomes ``--token-env VAR`` and ``--token-stdin`` instead, so it never
        appears in argv (``--token-env`` takes a variable's name, checked as one and never echoed). Plugins
    load only when the options are needed.
    """

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        if not any(getattr(p, "is_setting", False) for p in params):
            self.params.extend(_setting_options())
            params = super().get_params(ctx)
        return params


def _setting_options() -> list[click.Option]:
    options: dict[str, click.Option] = {}
    from badgebridge.core.plugin_manager import get_host  # plugin discovery: only for this command

    for provider in get_host().providers.values():
        for key, spec in provider.declaration.settings_schema.get("properties", {}).items():
            flag = key.replace("_", "-")
            label = spec.get("title", key)
            if spec.get("writeOnly"):
                made = [
                    click.Option(
                        [f"--{flag}-env", f"{key}__env"], metavar="VAR", help=f"Read the {label} from VAR."
                    ),
                    click.Option(
                        [f"--{flag}-stdin", f"{key}__stdin"],
                        is_flag=True,
                        help=f"Read the {label} from stdin.",
                    ),
                ]
            else:
                made = [click.Option([f"--{flag}", key], help=f"{label} ({provider.title})", metavar="TEXT")]
            for option in made:
                option.is_setting = True  # type: ignore[attr-defined]
                options.setdefault(option.name, option)
    return list(options.values())


def collect_settings(provider_name: str, values: dict[str, Any], *, prompt_missing: bool) -> dict[str, Any]:
    """The chosen provider's settings from the options; secrets from env, stdin or a hidden prompt."""
    from badgebridge.core.plugin_manager import get_host

    provider = get_host().provider(provider_name)
    props = provider.declaration.settings_schema.get("properties", {})
    for key, value in values.items():
        base = key.split("__")[0]
        if value not in (None, False) and base not in props:
            raise InvalidInput(f"the {provider.title} provider has no setting {base!r}")
    settings = {key: values[key] for key in props if values.get(key) is not None}
    from badgebridge.core.settings import missing_required  # jsonschema: only when settings are given

    required = missing_required(provider.declaration, settings)
    for key in provider.declaration.secret_settings:
        secret = _read_secret(
            key, props[key].get("title", key), values, prompt=prompt_missing and key in required
        )
        if secret is not None:
            settings[key] = secret
    return settings


def _read_secret(key: str, label: str, values: dict[str, Any], *, prompt: bool) -> str | None:
    env_var, from_stdin = values.get(f"{key}__env"), values.get(f"{key}__stdin")
    if env_var:
        # The argument is never echoed: a user who typed the token itself must not see it printed.
        option = f"--{key.replace('_', '-')}-env"
        if not VARIABLE_NAME.fullmatch(env_var):
            raise InvalidInput(
                f"{option} takes the name of an environment variable (letters, digits and _, "
                f"not starting with a digit), not the {label.lower()} itself"
            )
        if env_var not in os.environ:
            raise InvalidInput(f"the environment variable named by {option} is not set")
        return os.environ[env_var]
    if from_stdin or (prompt and not sys.stdin.isatty()):
        secret = sys.stdin.readline().strip()
        if not secret:
            flag = f"--{key.replace('_', '-')}"
            how = "stdin gave none" if from_stdin else "stdin is not a terminal, so there is no prompt"
            raise InvalidInput(
                f"no {label.lower()} ({how}): give {flag}-env VAR, or pipe it with {flag}-stdin"
            )
        return secret
    if prompt:
        return click.prompt(label, hide_input=True)
    return None
