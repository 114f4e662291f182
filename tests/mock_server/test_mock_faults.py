"""Fault injection: latency, seeded 503s and the rate limit, on the API only.

Every test runs on a `ManualClock`: nothing waits for real time, nothing depends on the machine's
speed (a rate of 1 per second is tested with two requests at the same manual instant).
"""

from __future__ import annotations

import pytest

from badgebridge.mock_server import ManualClock
from badgebridge.mock_server.exceptions import InjectedFault, RateLimited
from badgebridge.mock_server.faults import Faults


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def faults(clock) -> Faults:
    return Faults(clock)


def outcomes(faults: Faults, n: int) -> list[str]:
    result = []
    for _ in range(n):
        try:
            faults.apply()
            result.append("ok")
        except InjectedFault:
            result.append("503")
    return result


def test_no_faults_by_default(faults, clock):
    assert outcomes(faults, 50) == ["ok"] * 50
    assert clock.slept == []


def test_latency_sleeps_before_each_request(faults, clock):
    faults.update({"latency_ms": 250})

    faults.apply()

    assert clock.slept == [0.25]


def test_a_seeded_error_rate_repeats_the_same_failures(faults):
    faults.update({"error_rate": 0.5, "seed": 7})
    first = outcomes(faults, 40)
    faults.update({"seed": 7})

    second = outcomes(faults, 40)

    assert first == second
    assert 5 < first.count("503") < 35
    assert faults.counters()["injected_errors"] == first.count("503") * 2


@pytest.mark.parametrize(("rate", "expected"), [(0.0, "ok"), (1.0, "503")])
def test_error_rate_bounds(faults, rate, expected):
    faults.update({"error_rate": rate})

    assert set(outcomes(faults, 20)) == {expected}


def test_rate_limit_is_a_token_bucket(faults, clock):
    faults.update({"rate_limit_per_second": 2})
    faults.apply()
    faults.apply()

    with pytest.raises(RateLimited) as refused:
        faults.apply()

    assert refused.value.headers == {"Retry-After": "1"}
    clock.advance(0.5)
    faults.apply()  # one token refilled
    with pytest.raises(RateLimited):
        faults.apply()
    assert faults.counters()["rate_limited"] == 2


def test_a_slow_rate_asks_to_wait_longer(faults, clock):
    faults.update({"rate_limit_per_second": 0.25})
    faults.apply()

    with pytest.raises(RateLimited) as refused:
        faults.apply()

    assert refused.value.headers["Retry-After"] == "4"
    clock.advance(4)
    faults.apply()


@pytest.mark.parametrize("off", [None, 0])
def test_a_rate_limit_of_null_or_zero_is_off(faults, off):
    faults.update({"rate_limit_per_second": 1})

    assert faults.update({"rate_limit_per_second": off})["rate_limit_per_second"] is None
    assert outcomes(faults, 10) == ["ok"] * 10


def test_reset_turns_everything_off(faults):
    faults.update({"latency_ms": 10, "error_rate": 1, "rate_limit_per_second": 1, "seed": 1})
    outcomes(faults, 1)

    faults.reset()

    assert faults.settings() == {
        "latency_ms": 0,
        "error_rate": 0.0,
        "rate_limit_per_second": None,
        "seed": None,
    }
    assert faults.counters() == {"injected_errors": 0, "rate_limited": 0}


# -- over HTTP ------------------------------------------------------------------------------------


def statuses(api, n: int) -> list[int]:
    return [api.get("/badge_templates").status_code for _ in range(n)]


def test_a_seeded_error_rate_is_deterministic_over_http(api, client):
    client.put("/_mock/faults", json={"error_rate": 0.3, "seed": 42})
    first = statuses(api, 30)
    client.post("/_mock/reset")
    client.put("/_mock/faults", json={"error_rate": 0.3, "seed": 42})

    second = statuses(api, 30)

    assert first == second
    assert set(first) == {200, 503}
    assert client.get("/_mock/state").get_json()["stats"]["injected_errors"] == first.count(503)


def test_an_injected_fault_is_an_enveloped_503_before_anything_happens(api, client):
    client.put("/_mock/faults", json={"error_rate": 1})

    response = api.issue()

    assert response.status_code == 503
    assert response.get_json()["data"]["message"]
    assert client.get("/_mock/state").get_json()["badges"] == []


def test_the_rate_limit_gives_429_with_retry_after(api, client):
    client.put("/_mock/faults", json={"rate_limit_per_second": 1})

    first, second = api.get("/badge_templates"), api.get("/badge_templates")

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "1"
    assert second.get_json() == {
        "data": {"message": "Rate limit exceeded. Retry later."},
        "metadata": {"retry_after": 1},
    }


def test_the_bucket_refills_on_the_mocks_clock(api, client, clock):
    client.put("/_mock/faults", json={"rate_limit_per_second": 1})
    assert statuses(api, 2) == [200, 429]

    clock.advance(1)

    assert statuses(api, 2) == [200, 429]


def test_latency_delays_v1_answers(api, client, clock):
    client.put("/_mock/faults", json={"latency_ms": 150})

    response = api.get("/badge_templates")

    assert response.status_code == 200
    assert clock.slept == [0.15]


def test_the_control_api_is_never_faulted(client, clock):
    client.put("/_mock/faults", json={"error_rate": 1, "rate_limit_per_second": 1, "latency_ms": 2000})

    answers = [client.get("/_mock/state").status_code for _ in range(5)]

    assert answers == [200] * 5
    assert clock.slept == []
    assert client.post("/_mock/reset").status_code == 204
