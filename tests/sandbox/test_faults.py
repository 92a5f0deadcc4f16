"""Injected faults, each observed from a raw client; reproducible from a seed."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error

import pytest

from reconciler.sandbox.faults import ALL_KINDS, Faults

SHOP = "{ shop { name } }"
COUNT = "{ productsCount { count } }"
PRODUCT_SET = """
mutation Set($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle }
    userErrors { field message code }
  }
}
"""


def write(sandbox, handle: str = "faulty"):
    product = {
        "title": "Faulty",
        "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
        "variants": [
            {"optionValues": [{"optionName": "Title", "name": "Default Title"}], "price": "5.00"}
        ],
    }
    return sandbox.graphql(
        PRODUCT_SET,
        {"identifier": {"handle": handle}, "input": {"handle": handle, **product}},
        timeout=5,
    )


def only(sandbox, kind: str, **extra) -> None:
    reply = sandbox.control("faults", {"rate": 1.0, "seed": 1, "kinds": [kind], **extra})
    assert reply.status == 200, reply.text


def count_without_faults(sandbox) -> int:
    sandbox.control("faults", {"rate": 0})
    return sandbox.graphql(COUNT).json["data"]["productsCount"]["count"]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_write_nothing(sandbox, status):
    only(sandbox, f"http_{status}")
    reply = write(sandbox)
    assert reply.status == status
    assert "html" in reply.headers["Content-Type"]
    assert count_without_faults(sandbox) == 0


def test_dropped_connection_gets_no_response(sandbox):
    only(sandbox, "drop")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
        write(sandbox)
    assert count_without_faults(sandbox) == 0


def test_stall_outlasts_client_timeout_then_504(sandbox):
    only(sandbox, "stall", stall_seconds=0.6)
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        sandbox.graphql(SHOP, timeout=0.2)
    started = time.perf_counter()
    reply = sandbox.graphql(SHOP, timeout=5)
    assert reply.status == 504 and time.perf_counter() - started >= 0.5
    assert count_without_faults(sandbox) == 0


def test_stalled_request_does_not_hold_up_shutdown(sandbox_factory):
    handle = sandbox_factory(faults=1.0, fault_kinds=("stall",))  # default 60 s stall
    errors = []

    def call():
        try:
            handle.graphql(SHOP, timeout=30)
        except Exception as exc:  # the connection is closed at shutdown
            errors.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.3)
    started = time.perf_counter()
    handle.stop()
    assert time.perf_counter() - started < 30  # not the 60 s stall
    thread.join(timeout=30)
    assert not thread.is_alive() and errors


def test_throttled_fault(sandbox):
    only(sandbox, "throttled")
    reply = write(sandbox)
    assert reply.status == 200
    body = reply.json
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000
    assert count_without_faults(sandbox) == 0


def test_429_with_retry_after(sandbox):
    only(sandbox, "http_429")
    reply = write(sandbox)
    assert reply.status == 429
    assert int(reply.headers["Retry-After"]) > 0
    assert "errors" in reply.json
    assert count_without_faults(sandbox) == 0


def test_internal_server_error_body(sandbox):
    only(sandbox, "internal_error")
    reply = write(sandbox)
    assert reply.status == 200
    body = reply.json
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] in error["message"]
    assert count_without_faults(sandbox) == 0


def test_504_after_commit_really_committed(sandbox):
    only(sandbox, "commit_then_504")
    reply = write(sandbox, "committed")
    assert reply.status == 504
    assert count_without_faults(sandbox) == 1
    again = write(sandbox, "committed")  # the retry an idempotent client makes: an upsert
    assert again.status == 200 and not again.json["data"]["productSet"]["userErrors"]
    assert count_without_faults(sandbox) == 1


def test_control_endpoints_are_never_faulted(sandbox):
    only(sandbox, "http_503")
    assert sandbox.control("health").status == 200
    assert sandbox.control("state").status == 200


def _outcomes(sandbox, n: int) -> list:
    seen = []
    for _ in range(n):
        try:
            seen.append(sandbox.graphql(SHOP, timeout=30).status)  # no stalls among the kinds
        except OSError:  # dropped: reset or closed, depending on timing
            seen.append("dropped")
    return seen


def test_same_seed_same_faults(sandbox):
    kinds = ["http_502", "http_503", "http_429", "throttled", "drop"]
    sandbox.control("faults", {"rate": 0.5, "seed": 42, "kinds": kinds})
    first = _outcomes(sandbox, 24)
    sandbox.control("faults", {"rate": 0.5, "seed": 42, "kinds": kinds})
    second = _outcomes(sandbox, 24)
    assert first == second
    assert 200 in first and len(set(first)) > 2  # some failed, some did not


def test_fault_choice_is_a_pure_function_of_seed():
    draws = [Faults(0.3, 7).pick() for _ in range(1)]
    a = Faults(0.3, 7)
    b = Faults(0.3, 7)
    c = Faults(0.3, 8)
    seq_a = [a.pick() for _ in range(200)]
    assert seq_a == [b.pick() for _ in range(200)]
    assert seq_a != [c.pick() for _ in range(200)]
    assert draws[0] == seq_a[0]
    failed = [k for k in seq_a if k]
    assert 30 < len(failed) < 90  # about 30 %
    assert set(failed) <= set(ALL_KINDS) and len(set(failed)) > 5


def test_rate_zero_never_faults():
    faults = Faults(0.0, 1)
    assert all(faults.pick() is None for _ in range(100))
    with pytest.raises(ValueError):
        Faults(1.5, 1)
    with pytest.raises(ValueError):
        Faults(0.5, 1, ("meteor",))
