"""In-process command line: ``bb(*args)`` runs ``badgebridge`` through click's runner on a fresh
database, so Credly's client can be routed through a transport the test chooses."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from badgebridge.cli import cli
from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN

MOCK_HOST = "http://credly.test"  # never resolved: the test's transport answers for it


@pytest.fixture
def bb(tmp_path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'bb.db'}"

    def run(*args: str, env: dict[str, str] | None = None, code: int = 0) -> str:
        result = runner.invoke(cli, ["--db", db, "--retry-base", "0", *args], env=env)
        assert result.exit_code == code, result.output
        return result.output

    return run


def connect_default_organization(bb, name: str = "mock") -> None:
    """Connect the mock's default organization (through the test's transport) and import its badges."""
    bb(
        "connections",
        "add",
        name,
        "--provider",
        "credly",
        "--org-id",
        DEFAULT_ORGANIZATION_ID,
        "--host",
        MOCK_HOST,
        "--token-env",
        "T",
        env={"T": DEFAULT_TOKEN},
    )
    bb("badges", "import", name)
