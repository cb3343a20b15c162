"""The address checked is the address connected to: a DNS answer that changes between the check
and the connection (rebinding) is never used."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from raqib.service import ssrf

from .receiver import Receiver


class ChangingResolver:
    """Answers ``first`` for the first look-up of ``name`` and ``then`` afterwards, like a
    rebinding DNS server with a zero TTL; other names resolve normally."""

    def __init__(self, name: str, first: str, then: str) -> None:
        self.name, self.answers, self.calls = name, [first, then], 0
        self.real = socket.getaddrinfo

    def __call__(self, host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        address = self.answers[min(self.calls, 1)]
        self.calls += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def install(monkeypatch: pytest.MonkeyPatch, resolver: Callable[..., Any]) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", resolver)


def test_the_request_goes_to_the_checked_address_with_the_host_name_kept(
    monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    port = int(receiver.url.split(":")[2].split("/")[0])
    # checked: 127.0.0.1 (the receiver); a second look-up would answer 127.0.0.9, where nothing listens
    resolver = ChangingResolver("hooks.example", "127.0.0.1", "127.0.0.9")
    install(monkeypatch, resolver)
    response = ssrf.pinned_request(
        "POST", f"http://hooks.example:{port}/in?x=1", allow_private=True, timeout_s=5, body=b"{}"
    )
    assert response.status == 200
    response.release_conn()
    assert resolver.calls == 1
    [got] = receiver.received
    assert got.headers["host"] == f"hooks.example:{port}" and got.body == "{}"


def test_a_public_answer_then_an_internal_one_pins_the_public_one(monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = ChangingResolver("rebind.example", "93.184.216.34", "127.0.0.1")
    install(monkeypatch, resolver)
    target = ssrf.check_url("https://rebind.example/hook", allow_private=False)
    assert (target.address, target.hostname, target.port, target.path) == (
        "93.184.216.34",
        "rebind.example",
        443,
        "/hook",
    )
    assert target.host_header == "rebind.example"
    with pytest.raises(ssrf.UnsafeURL, match="not a public address"):
        ssrf.check_url("https://rebind.example/hook", allow_private=False)  # the second answer is refused


def test_an_internal_first_answer_is_refused_before_any_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, ChangingResolver("inside.example", "169.254.169.254", "93.184.216.34"))
    with pytest.raises(ssrf.UnsafeURL, match=r"169\.254\.169\.254"):
        ssrf.pinned_request("GET", "http://inside.example/latest", allow_private=False, timeout_s=1)
