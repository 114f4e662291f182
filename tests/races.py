"""Racing real transactions: scenarios of concurrent awarding writers, run by threads or processes.

A scenario prepares ``rounds`` independent sets of learners and objects, then each of its
``roles`` runs its action on round ``r`` at the same moment as the others (a barrier releases
them), round after round. ``check`` lists every award that is missing or stored more than once.
Awards use a platform-only badge, so nothing is sent: what is raced is what gets stored.
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from badgebridge.core.clock import utcnow
from badgebridge.core.migration import run_migration
from badgebridge.core.model import ObjectKind
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import awards, learners, skills
from badgebridge.core.services import learning_objects as objects
from badgebridge.core.storage import Database, open_database
from badgebridge.core.storage.schema import awards as awards_table
from badgebridge.core.storage.schema import badges
from badgebridge.core.storage.schema import learners as learners_table
from tests.pg import throwaway_schema

COURSE = ObjectKind.COURSE
BADGE, LEVEL_BADGE, SKILL = "RACE-B", "RACE-LEVEL", "race-skill"
LEARNERS_PER_ROUND = 3
GRADE_HEADER = ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate"]
WHEN = "2024-05-01T10:00:00.000Z"
BARRIER_TIMEOUT = 120  # a racer that died breaks the barrier instead of hanging the suite


def postgres_schema() -> AbstractContextManager[str]:
    """A throwaway schema on the test PostgreSQL server; yields the database URL that uses it
    (``tests.pg``: skipped only when no server answers, never under CI=true)."""
    return throwaway_schema()


def email(r: int, k: int = 0) -> str:
    return f"r{r}-l{k}@example.org"


def _platform_badge(db: Database, badge_id: str) -> None:
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            badges.insert().values(id=badge_id, name=badge_id, state="Active", created_at=now, updated_at=now)
        )


def _grades(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(GRADE_HEADER)]
    lines += [f"{who},{course},M1,TRUE,TRUE,{WHEN},{WHEN}" for who, course in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _held(db: Database) -> Counter:
    """(learner email, badge, reason) -> how many awards store it."""
    query = select(
        learners_table.c.email, awards_table.c.badge_id, awards_table.c.reason_kind, awards_table.c.reason_id
    ).join(learners_table, awards_table.c.learner_id == learners_table.c.id)
    with db.begin() as conn:
        return Counter(tuple(row) for row in conn.execute(query))


@dataclass(frozen=True)
class Scenario:
    """``setup(db, folder, rounds)``; ``act(db, folder, role, round)``; ``expected(round)`` the awards."""

    name: str
    roles: int
    setup: Callable[[Database, Path, int], None]
    act: Callable[[Database, Path, int, int], None]
    expected: Callable[[int], list[tuple[str, str, str, str]]]

    def check(self, db: Database, rounds: int) -> list[str]:
        held = _held(db)
        wanted = Counter(award for r in range(rounds) for award in self.expected(r))
        problems = [f"missing {award}" for award in wanted if held[award] == 0]
        problems += [f"{n} times {award}" for award, n in held.items() if n > 1]
        problems += [f"unexpected {award}" for award in held if award not in wanted]
        return problems


# -- the scenarios ----------------------------------------------------------------------------


def _courses(db: Database, names: list[str]) -> None:
    for name in names:
        objects.add(db, COURSE, name, name)


def _learners(db: Database, r: int, count: int = LEARNERS_PER_ROUND) -> None:
    for k in range(count):
        learners.add(db, email(r, k), "Race", f"R{r}K{k}")


def _skill(db: Database, max_credits: float) -> None:
    _platform_badge(db, LEVEL_BADGE)
    skills.create(db, "Race skill", badge_id=LEVEL_BADGE, max_credits=max_credits, skill_id=SKILL)


def _course_award(r: int, course: str, k: int = 0) -> tuple[str, str, str, str]:
    return (email(r, k), BADGE, "course", course)


def _level_award(r: int, k: int = 0) -> tuple[str, str, str, str]:
    return (email(r, k), LEVEL_BADGE, "skill_level", f"{SKILL}:1")


def _same_completion_setup(db, folder, rounds):
    _platform_badge(db, BADGE)
    for r in range(rounds):
        _courses(db, [f"C{r}"])
        objects.assign_badge(db, COURSE, f"C{r}", BADGE)
        _learners(db, r, 1)


def _credits_setup(db, folder, rounds):
    _skill(db, 2)
    for r in range(rounds):
        _courses(db, [f"A{r}", f"B{r}"])
        for course in (f"A{r}", f"B{r}"):
            objects.assign_skill(db, COURSE, course, SKILL, 1, 1)
        _learners(db, r, 1)


def _backfill_setup(db, folder, rounds):
    _platform_badge(db, BADGE)
    for r in range(rounds):
        _courses(db, [f"C{r}"])
        _learners(db, r)


def _skill_backfill_setup(db, folder, rounds):
    _skill(db, 1)
    for r in range(rounds):
        _courses(db, [f"C{r}"])
        _learners(db, r)


def _two_migrations_setup(db, folder, rounds):
    """Two grade files per round: one completes A{r}, the other B{r}, for the same learners; each
    course carries the badge and one of the two credits the level needs."""
    _platform_badge(db, BADGE)
    _skill(db, 2)
    for r in range(rounds):
        _courses(db, [f"A{r}", f"B{r}"])
        _learners(db, r)
        for role, course in enumerate((f"A{r}", f"B{r}")):
            objects.assign_badge(db, COURSE, course, BADGE)
            objects.assign_skill(db, COURSE, course, SKILL, 1, 1)
            rows = [(email(r, k), course) for k in range(LEARNERS_PER_ROUND)]
            _grades(folder / f"{r}-{role}" / "user_course_grade.csv", rows)


def _assign_and_migrate_setup(db, folder, rounds):
    _platform_badge(db, BADGE)
    for r in range(rounds):
        _courses(db, [f"C{r}"])
        _learners(db, r)
        rows = [(email(r, k), f"C{r}") for k in range(LEARNERS_PER_ROUND)]
        _grades(folder / f"{r}" / "user_course_grade.csv", rows)


def _grant_setup(db, folder, rounds):
    _platform_badge(db, BADGE)
    for r in range(rounds):
        _learners(db, r, 1)


def _complete(db: Database, r: int, k: int, course: str) -> None:
    objects.complete(db, email(r, k), COURSE, course)


def _complete_all(db: Database, r: int, course: str) -> None:
    for k in range(LEARNERS_PER_ROUND):
        _complete(db, r, k, course)


def _migrate(db: Database, folder: Path) -> None:
    report = run_migration(db, PluginHost(), folder / "user_course_grade.csv")
    assert report.failed == 0, report.as_dict()


SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "the same completion twice",
            2,
            _same_completion_setup,
            lambda db, folder, role, r: _complete(db, r, 0, f"C{r}"),
            lambda r: [_course_award(r, f"C{r}")],
        ),
        Scenario(
            "two completions reaching a skill level together",
            2,
            _credits_setup,
            lambda db, folder, role, r: _complete(db, r, 0, ("A", "B")[role] + str(r)),
            lambda r: [_level_award(r)],
        ),
        Scenario(
            "assigning a badge while learners complete",
            1 + LEARNERS_PER_ROUND,
            _backfill_setup,
            lambda db, folder, role, r: (
                objects.assign_badge(db, COURSE, f"C{r}", BADGE)
                if role == 0
                else _complete(db, r, role - 1, f"C{r}")
            ),
            lambda r: [_course_award(r, f"C{r}", k) for k in range(LEARNERS_PER_ROUND)],
        ),
        Scenario(
            "assigning skill credits while learners complete",
            1 + LEARNERS_PER_ROUND,
            _skill_backfill_setup,
            lambda db, folder, role, r: (
                objects.assign_skill(db, COURSE, f"C{r}", SKILL, 1, 1)
                if role == 0
                else _complete(db, r, role - 1, f"C{r}")
            ),
            lambda r: [_level_award(r, k) for k in range(LEARNERS_PER_ROUND)],
        ),
        Scenario(
            "two migrations of completion files",
            2,
            _two_migrations_setup,
            lambda db, folder, role, r: _migrate(db, folder / f"{r}-{role}"),
            lambda r: [
                award
                for k in range(LEARNERS_PER_ROUND)
                for award in (_course_award(r, f"A{r}", k), _course_award(r, f"B{r}", k), _level_award(r, k))
            ],
        ),
        Scenario(
            "assigning a badge while a migration of completions runs",
            2,
            _assign_and_migrate_setup,
            lambda db, folder, role, r: (
                objects.assign_badge(db, COURSE, f"C{r}", BADGE)
                if role == 0
                else _migrate(db, folder / f"{r}")
            ),
            lambda r: [_course_award(r, f"C{r}", k) for k in range(LEARNERS_PER_ROUND)],
        ),
        Scenario(
            "manual grants of one badge",
            3,
            _grant_setup,
            lambda db, folder, role, r: awards.grant(db, BADGE, email(r)),
            lambda r: [(email(r), BADGE, "manual", "")],
        ),
    )
}


# -- running them -----------------------------------------------------------------------------


def race_threads(scenario: Scenario, db: Database, folder: Path, rounds: int) -> list[str]:
    """Each round, ``roles`` threads released together; returns the errors they raised."""
    errors: list[str] = []
    barrier = threading.Barrier(scenario.roles)

    def run(role: int, r: int) -> None:
        barrier.wait(timeout=BARRIER_TIMEOUT)
        try:
            scenario.act(db, folder, role, r)
        except Exception:
            errors.append(traceback.format_exc())

    for r in range(rounds):
        threads = [threading.Thread(target=run, args=(role, r)) for role in range(scenario.roles)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return errors


def _process_main(name: str, url: str, folder: str, role: int, rounds: int, barrier, errors) -> None:
    scenario = SCENARIOS[name]
    db = open_database(url)
    try:
        for r in range(rounds):
            barrier.wait(timeout=BARRIER_TIMEOUT)
            try:
                scenario.act(db, Path(folder), role, r)
            except Exception:
                errors.put(traceback.format_exc())
    finally:
        db.dispose()


def race_processes(scenario: Scenario, url: str, folder: Path, rounds: int) -> list[str]:
    """``roles`` processes, each opening the database itself, released together each round."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(scenario.roles)
    errors = context.Queue()
    processes = [
        context.Process(
            target=_process_main, args=(scenario.name, url, str(folder), role, rounds, barrier, errors)
        )
        for role in range(scenario.roles)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    found = []
    while not errors.empty():
        found.append(errors.get())
    found += [f"process exited with {p.exitcode}" for p in processes if p.exitcode != 0]
    return found


def prepare(scenario: Scenario, url: str, folder: Path, rounds: int) -> Database:
    db = open_database(url)
    scenario.setup(db, folder, rounds)
    return db
