"""What the built distribution installs: one import name, every package and resource, and a
neighbourhood that cannot break it.

The wheels (badgebridge from a clean copy of this checkout, the example plugin, and a dummy
distribution that ships its own top-level ``core``, ``plugins``, ``mock_server`` and ``cli``) are
built once per session, and installed together into one throwaway venv that the tests share.
Select them with ``-m packaging`` (or leave them out with ``-m "not packaging"``).
"""

from __future__ import annotations

import configparser
import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.e2e.acme import drive_acme, write_store
from tests.e2e.conftest import Cli

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
VERSION = "0.2.0"
SUBPACKAGE_ROOTS = ("core", "plugins", "mock_server", "commands", "web")
NOT_SHIPPED = ("tests", "bench", "examples", "docs")
BUILD_LITTER = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", "*.db"
)
COLLIDER = {
    "setup.cfg": "[metadata]\nname = collider\nversion = 1.0\n\n[options]\n"
    "packages = core, plugins, mock_server\npy_modules = cli\n",
    "pyproject.toml": (ROOT / "pyproject.toml").read_text(),
    "core/__init__.py": '"""Not badgebridge\'s core."""\n\n__version__ = "collider"\n',
    "plugins/__init__.py": "",
    "mock_server/__init__.py": "",
    "cli.py": 'def main():\n    raise SystemExit("the collider\'s cli")\n',
}


def run(*args: object, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))}:\n{result.stdout}\n{result.stderr}"
    return result


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what would point another environment at this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGEBRIDGE_") and k != "PYTHONPATH"}
    return env | extra


@pytest.fixture(scope="session")
def wheels(tmp_path_factory) -> dict[str, Path]:
    """``{"badgebridge", "acme-badges", "collider"}`` -> the wheel, built by ``pip wheel`` from copies."""
    work = tmp_path_factory.mktemp("build")
    checkout = work / "badgebridge"
    shutil.copytree(ROOT, checkout, ignore=BUILD_LITTER)
    collider = work / "collider"
    for name, text in COLLIDER.items():
        (collider / name).parent.mkdir(parents=True, exist_ok=True)
        (collider / name).write_text(text)
    out = work / "wheels"
    pip_wheel = (sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out)
    run(*pip_wheel, checkout)  # badgebridge's own build, as a user's pip runs it (isolated)
    # the two helpers need no isolated build: this environment's setuptools can build them if it has
    # one that makes wheels (setuptools >= 70.1, or the wheel package)
    helpers = ("--no-build-isolation",) if _can_build_wheels() else ()
    run(*pip_wheel, *helpers, checkout / "examples" / "acme-badges", collider)
    return {
        name: next(out.glob(f"{name.replace('-', '_')}-*.whl"))
        for name in ("badgebridge", "acme-badges", "collider")
    }


def _can_build_wheels() -> bool:
    if importlib.util.find_spec("setuptools") is None:
        return False
    return bool(
        importlib.util.find_spec("wheel") or importlib.util.find_spec("setuptools.command.bdist_wheel")
    )


@pytest.fixture(scope="session")
def venv(tmp_path_factory, wheels) -> Path:
    """A venv holding badgebridge, the example plugin (with its test extra) and the collider."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", root)
    run(sys.executable, "-m", "pip", "--python", root / "bin" / "python", "install", "-q",
        wheels["badgebridge"], f"{wheels['acme-badges']}[test]", wheels["collider"])  # fmt: skip
    return root


def wheel_files(wheel: Path) -> list[str]:
    """The paths the wheel's RECORD lists."""
    with zipfile.ZipFile(wheel) as archive:
        record = next(name for name in archive.namelist() if name.endswith(".dist-info/RECORD"))
        return [row[0] for row in csv.reader(archive.read(record).decode().splitlines()) if row]


def wheel_text(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(next(name for name in archive.namelist() if name.endswith(suffix))).decode()


def test_the_wheel_installs_one_top_level_import_name(wheels):
    top = {path.split("/")[0] for path in wheel_files(wheels["badgebridge"])}
    assert {name for name in top if not name.endswith(".dist-info")} == {"badgebridge"}
    assert wheel_text(wheels["badgebridge"], ".dist-info/top_level.txt").split() == ["badgebridge"]


def test_the_wheel_ships_every_module_and_resource_and_nothing_else(wheels):
    shipped = {
        path for path in wheel_files(wheels["badgebridge"]) if not path.split("/")[0].endswith(".dist-info")
    }
    in_tree = {
        "badgebridge/" + path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".json")
        and path.relative_to(ROOT).parts[0] not in (*NOT_SHIPPED, ".venv", "build")
        and "__pycache__" not in path.parts
    } | {"badgebridge/mock_server/README.md", "badgebridge/core/storage/migrations/script.py.mako"}
    in_tree |= {  # the pages' templates and static files
        "badgebridge/" + path.relative_to(ROOT).as_posix()
        for folder in ("web/templates", "web/static", "mock_server/templates")
        for path in (ROOT / folder).iterdir()
    }
    assert shipped == in_tree


def test_every_entry_point_is_in_the_badgebridge_namespace(wheels):
    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel_text(wheels["badgebridge"], ".dist-info/entry_points.txt"))
    assert {section: dict(entry_points[section]) for section in entry_points.sections()} == {
        "console_scripts": {"badgebridge": "badgebridge.cli:main"},
        "badgebridge": {"credly": "badgebridge.plugins.credly.provider"},
        "pytest11": {"badgebridge_mock": "badgebridge.mock_server.pytest_plugin"},
    }


def test_setup_cfg_lists_every_package_of_the_tree():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    folders = {
        init.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for root in SUBPACKAGE_ROOTS
        for init in (ROOT / root).rglob("__init__.py")
    }
    assert listed == {"badgebridge"} | {f"badgebridge.{folder}" for folder in folders}
    without_init = [
        folder.relative_to(ROOT).as_posix()
        for root in SUBPACKAGE_ROOTS
        for folder in [ROOT / root, *(ROOT / root).rglob("*")]
        if folder.is_dir() and "__pycache__" not in folder.parts and any(folder.glob("*.py"))
        if not (folder / "__init__.py").exists()
    ]
    assert without_init == []  # a folder of modules without __init__.py would be left out silently


def test_a_distribution_with_its_own_core_plugins_and_cli_changes_nothing(venv):
    python, badgebridge = venv / "bin" / "python", venv / "bin" / "badgebridge"
    env = clean_env()  # and run from the venv's folder, where no checkout's core/ is in reach
    collider = run(
        python, "-c", "import cli, core, mock_server, plugins; print(core.__version__)", env=env, cwd=venv
    )
    assert collider.stdout.strip() == "collider"  # the collider's top-level packages are really there

    assert (
        run(badgebridge, "--version", env=env, cwd=venv).stdout.strip() == f"badgebridge, version {VERSION}"
    )
    plugins = json.loads(run(badgebridge, "plugins", "--json", env=env, cwd=venv).stdout)
    assert [(p["name"], p["version"], p["providers"], p["error"]) for p in plugins] == [
        ("acme", "0.1.0", ["acme"], None),
        ("credly", VERSION, ["credly"], None),
    ]
    imports = (
        "from badgebridge import hookimpl, IssuedBadge, ProviderBadge, ProviderDeclaration, ConnectionInfo, "
        "AuthenticationFailed, ProviderRefused, AlreadyIssued, ProviderUnavailable, Secret; "
        "from badgebridge.testing import ProviderContract; import badgebridge; print(badgebridge.__file__)"
    )
    located = Path(run(python, "-c", imports, env=env, cwd=venv).stdout.strip())
    assert located.parent.parent.name == "site-packages"


def test_the_installed_example_plugin_passes_the_kit(venv, tmp_path):
    example = ROOT / "examples" / "acme-badges"
    shutil.copytree(example / "tests", tmp_path / "tests")  # not the module: the installed one is tested
    shutil.copy(example / "pyproject.toml", tmp_path)
    result = subprocess.run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout and "skipped" not in result.stdout


def test_the_installed_example_plugin_works_through_the_cli(venv, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(HOME=str(home), BADGEBRIDGE_DB=f"sqlite:///{tmp_path / 'bb.db'}", NO_COLOR="1")
    cli = Cli(home, env, command=str(venv / "bin" / "badgebridge"))
    drive_acme(cli, write_store(tmp_path / "acme.json"))
