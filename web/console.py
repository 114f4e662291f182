"""What every view reaches: the database, the plugins, the retry policy, where uploads go."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from badgebridge.core.model import AwardState
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services.sender import AwardSender, RetryPolicy
from badgebridge.core.storage import Database

SEND_CONCURRENCY = 4


@dataclass(frozen=True)
class Console:
    db: Database
    host: PluginHost
    policy: RetryPolicy
    upload_dir: Path

    def send(self, award_ids: list[int]) -> str:
        """Issue these awards now, as the CLI's commands do; a one-line summary of what happened."""
        if not award_ids:
            return "No new awards."
        outcomes = AwardSender(self.db, self.host, policy=self.policy).send_awards(
            award_ids, concurrency=SEND_CONCURRENCY
        )
        counts = Counter(outcome.state for outcome in outcomes)
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "nothing to send"
        problems = [o for o in outcomes if o.state not in (AwardState.ISSUED, "superseded")]
        first = f" First problem: award {problems[0].award_id}: {problems[0].message}" if problems else ""
        local = len(award_ids) - len(outcomes)
        locally = f", {local} platform-only or not due" if local else ""
        return f"{len(award_ids)} award(s): {summary}{locally}.{first}"


def console() -> Console:
    return current_app.extensions["badgebridge"]
