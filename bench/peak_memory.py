"""Running a command so that the peak memory measured is the command's own.

Linux carries a process's peak RSS (``ru_maxrss``) across ``exec``: a child that a large
benchmark process forks (or vforks, as ``subprocess`` does) starts with the parent's peak, so a
command that needs 70 MB reports the 190 MB its parent held. ``run`` starts the command from a
small intermediate Python process instead, which waits for it and reports its ``ru_maxrss``; the
command inherits the caller's standard streams (through the intermediate).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any

_INTERMEDIATE = """
import os, sys, time
report, command = int(sys.argv[1]), sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawnp(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
os.write(report, f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss} {seconds}".encode())
"""


def run(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdout: IO[Any] | int | None = None,
    stderr: IO[Any] | int | None = None,
) -> tuple[int, float, float]:
    """Run ``command`` to its end; returns its exit code, its own peak RSS in MB and its wall time
    in seconds (from its start, not the intermediate's)."""
    read, write = os.pipe()
    with os.fdopen(read, "rb") as report:
        try:
            subprocess.run(
                [sys.executable, "-c", _INTERMEDIATE, str(write), *command],
                env=env,
                stdout=stdout,
                stderr=stderr,
                pass_fds=(write,),
                check=True,
            )
        finally:
            os.close(write)  # the intermediate's copy is closed: the read below ends
        code, peak_kib, seconds = report.read().split()
    return int(code), int(peak_kib) / 1024, float(seconds)
