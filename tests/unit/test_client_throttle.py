"""The client-side cost model (throttle.py) with a fake clock, and the static cost estimate."""

from __future__ import annotations

import random

import pytest

from reconciler.shopify import documents, throttle
from reconciler.shopify.throttle import Cost, CostModel, ThrottleStatus


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def answer(available: float, maximum: float = 1000.0, rate: float = 50.0) -> Cost:
    return Cost(requested=None, actual=None, status=ThrottleStatus(maximum, available, rate))


def test_only_one_probe_until_the_bucket_is_known():
    model = CostModel(Clock())
    assert model.delay(100) == 0
    probe = model.reserve(100)
    assert model.delay(1) is None  # wait for the probe's answer
    model.settle(probe, answer(900))
    assert model.delay(100) == 0


def test_a_failed_probe_lets_the_next_one_through():
    model = CostModel(Clock())
    model.settle(model.reserve(10), None)
    assert model.delay(10) == 0


def test_waits_exactly_until_the_bucket_refills():
    clock = Clock()
    model = CostModel(clock)
    model.settle(model.reserve(1), answer(100, rate=50))
    assert model.delay(100) == 0
    model.reserve(100)
    assert model.delay(150) == pytest.approx(3.0)  # 150 points at 50/s from an empty bucket
    clock.now += 1.0
    assert model.delay(150) == pytest.approx(2.0)
    clock.now += 2.0
    assert model.delay(150) == 0


def test_reservations_of_requests_in_flight_are_counted():
    model = CostModel(Clock())
    model.settle(model.reserve(1), answer(300, rate=10))
    for _ in range(3):
        assert model.delay(100) == 0
        model.reserve(100)
    assert model.delay(100) == pytest.approx(10.0)


def test_an_answer_does_not_forget_requests_sent_after_it():
    model = CostModel(Clock())
    model.settle(model.reserve(1), answer(1000))
    first = model.reserve(400)
    model.reserve(400)  # sent after `first`; the server may not have counted it yet
    model.settle(first, answer(600))
    assert model.available() == pytest.approx(200)


def test_refill_stops_at_the_bucket_size():
    clock = Clock()
    model = CostModel(clock)
    model.settle(model.reserve(1), answer(0, maximum=50, rate=10))
    clock.now += 1000
    assert model.available() == 50


def test_a_request_bigger_than_the_bucket_waits_for_a_full_bucket_not_forever():
    clock = Clock()
    model = CostModel(clock)
    model.settle(model.reserve(1), answer(0, maximum=50, rate=10))
    assert model.delay(500) == pytest.approx(5.0)
    clock.now += 5
    assert model.delay(500) == 0


def test_throttled_wait_is_shopifys_formula():
    model = CostModel(Clock())
    status = ThrottleStatus(maximum=1000.0, available=666.0, restore_rate=50.0)
    assert model.throttled_wait(752, status) == pytest.approx((752 - 666) / 50)
    assert model.throttled_wait(100, status) == 0


def test_parse_cost_reads_shopifys_shape():
    cost = throttle.parse_cost(
        {
            "cost": {
                "requestedQueryCost": 752,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 1000.0,
                    "currentlyAvailable": 666,
                    "restoreRate": 50.0,
                },
            }
        }
    )
    assert cost == Cost(752.0, None, ThrottleStatus(1000.0, 666.0, 50.0))
    assert throttle.parse_cost(None) == Cost(None, None, None)


def test_backoff_is_full_jitter_and_capped():
    rng = random.Random(7)
    draws = [throttle.backoff(a, 0.5, 4.0, rng) for a in range(10) for _ in range(50)]
    assert all(0 <= d <= 4.0 for d in draws)
    assert max(throttle.backoff(0, 0.5, 4.0, rng) for _ in range(100)) <= 0.5
    assert max(draws) > 3.0  # reaches the cap's neighbourhood at high attempts


def test_static_estimate_follows_shopifys_published_example():
    # products(first: 10) { edges { node { title variants(first: 5) { edges { node { title }}}}}}
    # costs 2 + 10 x (1 + (2 + 5 x 1)) = 82 by Shopify's engineering write-up.
    variants = ("variants", 5, (("edges", None, (("node", None, (("title", None, ()),)),)),))
    node = ("node", None, (("title", None, ()), variants))
    products = ("products", 10, (("edges", None, (node,)),))
    assert throttle.estimate((products,), {}) == 82


def test_static_estimate_uses_variables_and_fragments():
    item = (
        "nodes",
        None,
        (("id", None, ()), ("...", None, (("image", None, (("url", None, ()),)),))),
    )
    media = ("media", "n", (item,))
    assert throttle.estimate((media,), {"n": 4}) == 2 + 4 * (1 + 1)
    assert throttle.estimate((media,), {}) == float("inf")


def test_product_set_cost_formula():
    product_input = {
        "variants": [{"metafields": [{}, {}], "file": {"id": "x"}}, {}],
        "metafields": [{}],
        "files": [{}, {}],
    }
    assert throttle.product_set_cost(product_input) == pytest.approx(
        10 + 0.2 * 2 + 0.6 + 0.4 * 2 + 0.4 + 1.9 * 2
    )


@pytest.mark.parametrize("name", documents.names())
def test_every_document_estimates_under_the_single_query_ceiling(name):
    assert documents.estimate_cost(documents.load(name), {}) < 1000


def test_metafields_set_is_estimated_by_its_owners_as_shopify_charges_it():
    def entry(owner: str) -> dict:
        return {"ownerId": owner, "namespace": "custom", "key": "k", "value": "v"}

    product, shop = "gid://shopify/Product/1", "gid://shopify/Shop/1"
    # 10 for the call, 4 per distinct product, 1 for the shop; one owner counts once
    assert throttle.metafields_set_cost([entry(product), entry(product)]) == 14
    assert throttle.metafields_set_cost([entry(product), entry(shop)]) == 15
    # an owner not known yet (a plan's placeholder) errs high, never low
    assert throttle.metafields_set_cost([entry("{{product.id}}")]) >= 12
    many = [entry(f"gid://shopify/Order/{i}") for i in range(25)]
    assert throttle.metafields_set_cost(many) == 260  # Shopify's ceiling per call


def test_products_in_flight_follow_the_restore_rate_within_bounds():
    def status(rate: float) -> throttle.ThrottleStatus:
        return throttle.ThrottleStatus(maximum=rate * 20, available=0, restore_rate=rate)

    assert throttle.in_flight_for(None) == throttle.MIN_IN_FLIGHT
    assert throttle.in_flight_for(status(100)) == 16  # standard plan
    assert throttle.in_flight_for(status(500)) == 50  # 10-point calls at 500 points/s
    assert throttle.in_flight_for(status(1000)) == throttle.MAX_IN_FLIGHT
