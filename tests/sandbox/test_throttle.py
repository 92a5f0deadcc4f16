"""The leaky bucket: admission by requested cost, refunds, restore over time, plan sizes."""

import pytest

from reconciler.sandbox.throttle import PLANS, Bucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_starts_full_and_takes_requested_cost(clock):
    bucket = Bucket(2000.0, 100.0, clock)
    assert bucket.available() == 2000.0
    assert bucket.take(752)
    assert bucket.available() == 1248.0


def test_refuses_without_deducting_when_not_enough_is_available(clock):
    bucket = Bucket(1000.0, 50.0, clock)
    assert bucket.take(900)
    assert not bucket.take(101)
    assert bucket.available() == 100.0
    assert bucket.take(100)
    assert bucket.available() == 0.0


def test_restores_at_the_restore_rate_and_caps_at_maximum(clock):
    bucket = Bucket(2000.0, 100.0, clock)
    bucket.take(1500)
    clock.advance(2.5)
    assert bucket.available() == pytest.approx(750.0)
    clock.advance(60)
    assert bucket.available() == 2000.0


def test_a_throttled_request_fits_after_the_documented_wait(clock):
    bucket = Bucket(2000.0, 100.0, clock)
    bucket.take(1990)
    requested = 300
    assert not bucket.take(requested)
    wait = (requested - bucket.available()) / bucket.restore_rate
    clock.advance(wait - 0.01)
    assert not bucket.take(requested)
    clock.advance(0.02)
    assert bucket.take(requested)


def test_refund_returns_the_difference_but_never_above_maximum(clock):
    bucket = Bucket(2000.0, 100.0, clock)
    bucket.take(101)
    bucket.refund(101 - 46)
    assert bucket.available() == 2000.0 - 46
    bucket.refund(500)
    assert bucket.available() == 2000.0


def test_status_has_shopifys_shape_and_types(clock):
    bucket = Bucket(2000, 100, clock)
    bucket.take(45.5)
    status = bucket.status()
    assert status == {"maximumAvailable": 2000.0, "currentlyAvailable": 1954, "restoreRate": 100.0}
    assert isinstance(status["maximumAvailable"], float)
    assert isinstance(status["restoreRate"], float)
    assert isinstance(status["currentlyAvailable"], int)


@pytest.mark.parametrize(
    ("plan", "maximum", "rate"),
    [
        ("standard", 2000.0, 100.0),
        ("advanced", 4000.0, 200.0),
        ("plus", 20000.0, 1000.0),
        ("enterprise", 40000.0, 2000.0),
    ],
)
def test_plan_sizes(plan, maximum, rate, clock):
    assert PLANS[plan] == (maximum, rate)
    bucket = Bucket.for_plan(plan, clock)
    assert bucket.status()["maximumAvailable"] == maximum
    assert bucket.take(maximum)
    assert not bucket.take(1)
    clock.advance(1)
    assert bucket.available() == pytest.approx(rate)


def test_reconfigure_changes_size_and_rate_keeping_points_within_the_new_size(clock):
    bucket = Bucket(*PLANS["plus"], clock=clock)
    bucket.take(1000)
    bucket.reconfigure(*PLANS["standard"])
    assert bucket.available() == 2000.0
    bucket.take(2000)
    clock.advance(1)
    assert bucket.available() == pytest.approx(100.0)
    bucket.reconfigure(*PLANS["advanced"])
    clock.advance(1)
    assert bucket.available() == pytest.approx(300.0)
    assert bucket.status()["maximumAvailable"] == 4000.0


def test_a_clock_going_backwards_does_not_drain_the_bucket(clock):
    bucket = Bucket(100.0, 10.0, clock)
    bucket.take(50)
    clock.advance(-5)
    assert bucket.available() == 50.0


@pytest.mark.parametrize(("maximum", "rate"), [(0, 10), (-1, 10), (100, -1)])
def test_rejects_nonsense_sizes(maximum, rate):
    with pytest.raises(ValueError):
        Bucket(maximum, rate)
