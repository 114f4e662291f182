"""Benchmark: how long ``badgebridge --help`` takes to start, beside a click hello-world.

    python bench/startup.py [--runs N]

Runs, alternately and N times each (15 by default), the installed ``badgebridge --help``,
``badgebridge awards --help`` and a click hello-world script's ``--help`` (written to a temp
folder, run by this Python), each as a fresh process, and takes the median wall time of each. It
prints the medians and each command's ratio to the hello-world. The last line is one JSON object.
Goal (issue 8): ratio ≤ 3. ``python -X importtime -c "import badgebridge.cli"`` shows where the
rest goes.

``measure_startup()`` returns the same figures for ``bench/issue.py``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELLO = '''import click


@click.command()
def hello():
    """Say hello."""
    click.echo("Hello, world!")


hello()
'''


def installed_command() -> str:
    """The ``badgebridge`` beside this Python, else the one on PATH."""
    found = shutil.which("badgebridge", path=str(Path(sys.executable).parent)) or shutil.which("badgebridge")
    if found is None:
        raise SystemExit("no badgebridge command is installed beside this Python or on PATH")
    return found


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure_startup(runs: int = 15) -> dict:
    """Median seconds of each command's ``--help`` over ``runs`` alternated runs, and the ratios."""
    badgebridge = installed_command()
    with tempfile.TemporaryDirectory() as work:
        hello = Path(work) / "hello.py"
        hello.write_text(HELLO)
        commands = {
            "hello": [sys.executable, str(hello), "--help"],
            "help": [badgebridge, "--help"],
            "awards_help": [badgebridge, "awards", "--help"],
        }
        for argv in commands.values():  # warm the file cache; not counted
            _seconds(argv)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                times[name].append(_seconds(argv))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "runs": runs,
        "hello_seconds": round(medians["hello"], 4),
        "help_seconds": round(medians["help"], 4),
        "awards_help_seconds": round(medians["awards_help"], 4),
        "help_ratio": round(medians["help"] / medians["hello"], 2),
        "awards_help_ratio": round(medians["awards_help"] / medians["hello"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    result = measure_startup(parser.parse_args().runs)
    print(
        f"click hello-world --help     {result['hello_seconds'] * 1000:7.1f} ms (median of {result['runs']})"
    )
    print(f"badgebridge --help           {result['help_seconds'] * 1000:7.1f} ms  {result['help_ratio']}x")
    print(
        f"badgebridge awards --help    {result['awards_help_seconds'] * 1000:7.1f} ms  "
        f"{result['awards_help_ratio']}x (goal: at most 3x)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
