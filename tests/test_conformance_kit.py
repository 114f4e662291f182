"""The conformance kit, run as a plugin author runs it: an inner pytest (pytester, in a subprocess)
on the example plugin's own tests, and on plugins that break the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-badges"
EXAMPLE_TESTS = (EXAMPLE / "tests" / "test_acme_badges.py").read_text()
LEAKED = "not-the-key"  # the example's tests use it as bad_credentials' api_key


@pytest.fixture
def inner(pytester, monkeypatch):
    """An inner pytest that loads the example's tests, and plugins only from BADGEBRIDGE_PLUGINS."""
    monkeypatch.setenv("BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(EXAMPLE))
    pytester.makepyfile(test_acme_badges=EXAMPLE_TESTS)
    return pytester


def test_the_example_plugin_passes_the_kit(inner, monkeypatch):
    monkeypatch.setenv("BADGEBRIDGE_PLUGINS", str(EXAMPLE / "acme_badges.py"))
    result = inner.runpytest_subprocess("-q")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 20 and "failed" not in outcomes and "errors" not in outcomes, (
        result.stdout
    )


def test_the_kit_names_a_plugin_it_cannot_find(inner):
    result = inner.runpytest_subprocess("-q")
    result.stdout.fnmatch_lines(["*declare_provider: no plugin declares the provider 'acme'*"])
    assert result.ret != 0


BROKEN = {
    "returns-none": (
        """
        @hookimpl
        def issue_badge(connection, request):
            acme_badges.issue_badge(connection, request)
        """,
        ["*issue_badge: returned None: expected an IssuedBadge, got None*"],
    ),
    "bare-runtime-error": (
        """
        @hookimpl
        def issue_badge(connection, request):
            raise RuntimeError("Acme fell over")
        """,
        ["*issue_badge: raised RuntimeError: Acme fell over; expected a failure in *'s error family*"],
    ),
    "leaks-its-secret": (
        """
        @hookimpl
        def issue_badge(connection, request):
            try:
                return acme_badges.issue_badge(connection, request)
            except AuthenticationFailed:
                key = connection.settings["api_key"].reveal()
                raise AuthenticationFailed(f"Acme refused the key {key}") from None
        """,
        ["*issue_badge: its error message holds the secret setting 'api_key' in full*"],
    ),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_a_broken_issue_hook_fails_the_kit_naming_the_hook(inner, monkeypatch, breakage):
    body, expected = BROKEN[breakage]
    plugin = inner.makepyfile(
        broken_acme="""
        import acme_badges
        from acme_badges import connect, declare_provider, import_badges  # the example's hooks
        from acme_badges import fetch_badge, find_badge, revoke_badge
        from badgebridge import AuthenticationFailed, hookimpl
        """
        + body
    )
    monkeypatch.setenv("BADGEBRIDGE_PLUGINS", str(plugin))

    result = inner.runpytest_subprocess("-q")

    result.stdout.fnmatch_lines(expected)
    lines = result.stdout.lines
    messages = [lines[i + 1] for i, line in enumerate(lines) if line.startswith("_") and " TestAcme." in line]
    outcomes = result.parseoutcomes()
    assert len(messages) == outcomes["failed"] > 0
    assert all(message.startswith("issue_badge: ") for message in messages), messages
    assert outcomes["passed"] > 0  # the hooks that are right still pass
    assert LEAKED not in result.stdout.str() + result.stderr.str()
