"""The hook reference, rendered from the hook specs' docstrings and the boundary types' fields.

``python -m badgebridge.core.hookdocs > docs/plugins.md`` writes the page; a test fails when the
page and the specs differ. Docstrings use reST field lists (``:param x:``, ``:return:``,
``:raises E:``), rendered as Markdown lists; a dataclass's ``:param field:`` lines describe its
fields in the fields table.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from collections.abc import Callable, Iterator

from badgebridge.core import errors, hookspecs, model
from badgebridge.core.secrets import Secret

BOUNDARY_TYPES: tuple[type, ...] = (
    model.ProviderDeclaration,
    model.Connection,
    model.ConnectionInfo,
    model.ProviderBadge,
    model.IssueRequest,
    model.Recipient,
    model.IssuedBadge,
    model.ProviderEvent,
    model.PushedLearner,
)
"""The dataclasses hooks receive and return."""
ERRORS: tuple[type[Exception], ...] = (
    errors.ProviderError,
    errors.AuthenticationFailed,
    errors.ProviderRefused,
    errors.AlreadyIssued,
    errors.ProviderUnavailable,
)
FIELD = re.compile(r"^:(?P<kind>param|return|returns|raises)\s*(?P<name>[^:]*):\s*(?P<text>.*)$")
HEADER = (
    "<!-- Generated from core/hookspecs.py, core/model.py and core/errors.py by\n"
    "     `python -m badgebridge.core.hookdocs > docs/plugins.md`; edit the docstrings, not this page -->\n"
)


def hook_specs() -> list[Callable]:
    """The hook specifications, in the order the module defines them."""
    marker = f"{hookspecs.NAME}_spec"
    specs = [m for _, m in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(m, marker)]
    return sorted(specs, key=lambda function: function.__code__.co_firstlineno)


def split_docstring(doc: str | None) -> tuple[str, list[tuple[str, str, str]]]:
    """(the prose, the field list as (kind, name, text)) of a docstring."""
    lines = inspect.cleandoc(doc or "").splitlines()
    prose: list[str] = []
    fields: list[tuple[str, str, str]] = []
    for line in lines:
        match = FIELD.match(line)
        if match:
            kind = "return" if match["kind"] == "returns" else match["kind"]
            fields.append((kind, match["name"].strip(), match["text"].strip()))
        elif fields and line.startswith(" "):
            kind, name, text = fields[-1]
            fields[-1] = (kind, name, f"{text} {line.strip()}")
        elif not fields:
            prose.append(line)
    return "\n".join(prose).strip(), fields


def markdown(text: str) -> str:
    """reST inline literals (````x````) as Markdown code."""
    return re.sub(r"``(.+?)``", r"`\1`", text)


def field_items(fields: list[tuple[str, str, str]]) -> Iterator[str]:
    for kind, name, text in fields:
        if kind == "param":
            yield f"- `{name}`: {markdown(text)}"
        elif kind == "return":
            yield f"- returns: {markdown(text)}"
        else:
            names = ", ".join(f"`{n.strip()}`" for n in name.split(","))
            yield f"- raises {names}: {markdown(text)}"


def signature(function: Callable) -> str:
    sig = inspect.signature(function)
    return f"{function.__name__}({_parameters(sig)}) -> {sig.return_annotation}"


def _parameters(sig: inspect.Signature) -> str:
    """``a: T, *, b: U = 1`` (annotations as written: this package postpones their evaluation)."""
    parts: list[str] = []
    for param in sig.parameters.values():
        if param.kind is param.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        text = f"{param.name}: {param.annotation}"
        parts.append(text if param.default is param.empty else f"{text} = {param.default!r}")
    return ", ".join(parts)


def render_hook(function: Callable) -> Iterator[str]:
    required = "required" if function.__name__ in hookspecs.REQUIRED_HOOKS else "optional"
    prose, fields = split_docstring(function.__doc__)
    yield f"### `{function.__name__}` ({required})"
    yield ""
    yield f"```python\n{signature(function)}\n```"
    yield ""
    yield markdown(prose)
    if fields:
        yield ""
        yield from field_items(fields)
    yield ""


def render_type(cls: type) -> Iterator[str]:
    prose, fields = split_docstring(cls.__doc__)
    described = {name: text for kind, name, text in fields if kind == "param"}
    yield f"### `{cls.__name__}`"
    yield ""
    yield markdown(prose)
    yield ""
    yield "| field | type | default | what it is |"
    yield "|---|---|---|---|"
    for field in dataclasses.fields(cls):
        cells = (
            f"`{field.name}`",
            f"`{field.type}`",
            _default(field),
            markdown(described.get(field.name, "")),
        )
        yield "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    yield ""


def render_error(cls: type[Exception]) -> Iterator[str]:
    prose, fields = split_docstring(cls.__doc__)
    parent = cls.__mro__[1].__name__
    params = _parameters(inspect.signature(cls))
    yield f"### `{cls.__name__}({params})`, a `{parent}`"
    yield ""
    yield markdown(prose)
    if fields:
        yield ""
        yield from field_items(fields)
    yield ""


def render_secret() -> Iterator[str]:
    yield "### `Secret`"
    yield ""
    yield markdown(inspect.cleandoc(Secret.__doc__ or ""))
    yield ""
    yield f"- `reveal()`: {markdown(inspect.cleandoc(Secret.reveal.__doc__ or ''))}"
    yield ""


def render() -> str:
    """The whole page."""
    lines = [
        HEADER,
        "# Provider plugin reference",
        "",
        markdown(inspect.cleandoc(hookspecs.__doc__ or "")),
        "",
    ]
    lines += ["## Hooks", ""]
    for function in hook_specs():
        lines += render_hook(function)
    lines += ["## Types that cross the boundary", "", "Importable from `badgebridge`.", ""]
    for cls in BOUNDARY_TYPES:
        lines += render_type(cls)
    lines += render_secret()
    lines += ["## Errors", "", markdown(inspect.cleandoc(errors.__doc__ or "")), ""]
    for cls in ERRORS:
        lines += render_error(cls)
    return "\n".join(lines).rstrip() + "\n"


def _default(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING:
        return f"`{field.default!r}`"
    if field.default_factory is not dataclasses.MISSING:
        return f"`{field.default_factory()!r}`"
    return "required"


if __name__ == "__main__":
    sys.stdout.write(render())
