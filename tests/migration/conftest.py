"""The migration tests' provider offers a third template: each badge.csv row names its own."""

from __future__ import annotations

import pytest

from badgebridge.core.model import ProviderBadge


@pytest.fixture(autouse=True)
def third_template(fake):
    fake.templates.append(ProviderBadge("t3", "Template Three"))
