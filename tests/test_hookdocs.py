"""The hook reference (docs/plugins.md) is the specs' docstrings, and every hook is documented and
tested (datasette keeps its plugin hooks the same way)."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

import badgebridge
from badgebridge.core import hookdocs, model, plugin_manager
from badgebridge.core.errors import ProviderError

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "plugins.md"
HOOKS = hookdocs.hook_specs()


def test_the_page_is_what_the_specs_render():
    assert PAGE.read_text() == hookdocs.render(), (
        "docs/plugins.md differs from the hook specs: python -m badgebridge.core.hookdocs > docs/plugins.md"
    )


def test_every_hook_spec_is_on_the_page_and_forwarded_by_the_plugin_manager():
    assert [hook.__name__ for hook in HOOKS] == ["declare_provider", *plugin_manager.PROVIDER_HOOKS]
    page = PAGE.read_text()
    assert all(f"### `{hook.__name__}`" in page for hook in HOOKS)


@pytest.mark.parametrize("hook", HOOKS[1:], ids=lambda hook: hook.__name__)
def test_the_providers_forwarding_method_takes_the_specs_parameters(hook):
    forwarder = inspect.signature(getattr(plugin_manager.Provider, hook.__name__))
    assert list(forwarder.parameters)[1:] == list(inspect.signature(hook).parameters)


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.__name__)
def test_every_hook_has_a_docstring_with_its_parameters_and_result(hook):
    prose, fields = hookdocs.split_docstring(hook.__doc__)
    assert prose, f"{hook.__name__} has no docstring"
    documented = {name for kind, name, _ in fields if kind == "param"}
    undocumented = [name for name in inspect.signature(hook).parameters if name not in documented]
    assert undocumented == [], f"{hook.__name__}: no :param: for {undocumented}"
    assert any(kind == "return" for kind, _, _ in fields), f"{hook.__name__}: no :return:"


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.__name__)
def test_every_hook_has_a_test(hook):
    mentions = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if path != Path(__file__).resolve() and re.search(rf"\b{hook.__name__}\b", path.read_text())
    ]
    assert mentions, f"no test mentions the hook {hook.__name__}"


@pytest.mark.parametrize("cls", hookdocs.BOUNDARY_TYPES, ids=lambda cls: cls.__name__)
def test_every_field_of_a_boundary_type_is_documented(cls):
    prose, fields = hookdocs.split_docstring(cls.__doc__)
    documented = {name for kind, name, _ in fields if kind == "param"}
    assert prose
    assert [f.name for f in dataclasses.fields(cls) if f.name not in documented] == []


def test_every_type_a_plugin_meets_is_on_the_page():
    named = set()
    for hook in HOOKS:
        sig = inspect.signature(hook)
        annotations = [str(p.annotation) for p in sig.parameters.values()] + [str(sig.return_annotation)]
        named |= {word for text in annotations for word in re.findall(r"\w+", text)}
    for cls in hookdocs.BOUNDARY_TYPES:
        named |= {word for f in dataclasses.fields(cls) for word in re.findall(r"\w+", str(f.type))}
    model_types = {name for name in named if dataclasses.is_dataclass(getattr(model, name, None))}
    assert model_types - {cls.__name__ for cls in hookdocs.BOUNDARY_TYPES} == set()

    exported = [getattr(badgebridge, name) for name in badgebridge.__all__]
    assert {cls for cls in exported if dataclasses.is_dataclass(cls)} == set(hookdocs.BOUNDARY_TYPES)
    errors = {cls for cls in exported if isinstance(cls, type) and issubclass(cls, ProviderError)}
    assert errors == set(hookdocs.ERRORS)
