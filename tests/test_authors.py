"""Authors over real HTTP and a real Redis (single server and cluster): their record, strikes and
their expiry, sanctions and the policy's author conditions, appeals both ways, erasure, and a crash
between a decision and its strike."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from raqib.service.store import Store

from .conftest import Api, process_env

ApiFactory = Callable[[dict[str, Any]], Api]
SALMA, KARIM = {"X-Raqib-Actor": "salma"}, {"X-Raqib-Actor": "karim"}
DAY_MS = 86_400_000


def submit(api: Api, item_id: str, author: str = "u-1", text: str = "تعليق عادي عن المقال") -> Any:
    body = {"item_id": item_id, "item_type": "comment", "author_id": author, "text": text}
    return api.post("/v1/submissions", json=body).json()


def decide(api: Api, item_id: str, action: str, code: str, headers: dict[str, str] = SALMA, **extra: Any) -> Any:
    body = {"action": action, "reason_code": code, **extra}
    return api.post(f"/v1/review/items/{item_id}/decision", role="moderator", json=body, headers=headers)


def author(api: Api, author_id: str = "u-1") -> Any:
    return api.get(f"/v1/authors/{author_id}", role="moderator").json()


def test_the_record_strikes_and_their_lifting(api: Api) -> None:
    for n in range(3):
        submit(api, f"a-{n}")
    assert decide(api, "a-0", "remove", "harassment").ok
    assert decide(api, "a-1", "remove", "vulgarity").ok
    record = author(api)
    assert record["counts"] == {"submitted": 3, "published": 3, "held": 0, "rejected": 0, "removed": 2, "restored": 0}
    assert record["strikes"] == 2 and record["sanction"] is None
    assert [s["reason_code"] for s in record["strike_history"]] == ["vulgarity", "harassment"]
    assert record["recent_items"][0]["item_id"] == "a-1" and record["first_seen"] <= record["last_seen"]
    assert decide(api, "a-1", "restore", "no_violation", override=True).ok  # a reversed decision lifts its strike
    record = author(api)
    assert record["strikes"] == 1 and record["counts"]["restored"] == 1
    assert [s["active"] for s in record["strike_history"]] == [False, True]
    assert api.get("/v1/authors/nobody", role="moderator").status_code == 404
    assert api.get("/v1/authors/u-1", role="client").status_code == 403


def test_strikes_expire(api: Api, store: Store) -> None:
    submit(api, "x-1", author="u-exp")
    store.review.decide("x-1", "remove", "moderator:salma", {"action": "remove", "reason_code": "spam"}, False)
    store.authors.settle("x-1", strike_ms=1)  # a strike of one millisecond
    assert author(api, "u-exp")["strikes"] == 0 and len(author(api, "u-exp")["strike_history"]) == 1


def test_policy_conditions_on_authors(api: Api) -> None:
    policy = {
        "rules": [
            {"id": "repeat", "when": {"author": {"strikes": 2}}, "action": "reject"},
            {"id": "newcomers", "when": {"author": {"new": True, "submissions": 2}}, "action": "hold"},
        ]
    }
    assert api.request("PUT", "/v1/policy", role="admin", json=policy).ok
    assert [submit(api, f"n-{n}", author="u-new")["decision"] for n in range(3)] == ["hold", "hold", "publish"]
    for n in range(2):
        decide(api, f"n-{n}", "remove", "harassment")
    refused = submit(api, "n-9", author="u-new")
    assert refused["decision"] == "reject" and refused["reasons"][0] == {
        "rule": "repeat",
        "action": "reject",
        "detail": {"strikes": 2},
    }


def test_sanctions(api: Api, store: Store) -> None:
    submit(api, "s-0", author="u-s")
    assert api.post("/v1/authors/u-s/sanction", role="moderator", json={"action": "premod"}, headers=SALMA).ok
    held = submit(api, "s-1", author="u-s")
    assert (held["decision"], held["reasons"][0]["rule"]) == ("hold", "author_premod")
    suspended = api.post(
        "/v1/authors/u-s/sanction",
        role="moderator",
        json={"action": "suspend", "duration_s": 7 * 86_400, "reason_code": "harassment", "note": "private"},
        headers=SALMA,
    ).json()
    assert suspended["until"] is not None
    rejected = submit(api, "s-2", author="u-s")
    assert (rejected["decision"], rejected["reasons"][0]["rule"]) == ("reject", "author_suspended")
    assert author(api, "u-s")["sanction"]["action"] == "suspend"
    api.post("/v1/authors/u-s/sanction", role="moderator", json={"action": "ban"}, headers=SALMA)
    assert submit(api, "s-3", author="u-s")["reasons"][0]["rule"] == "author_banned"
    api.post("/v1/authors/u-s/sanction", role="moderator", json={"action": "lift"}, headers=SALMA)
    assert author(api, "u-s")["sanction"] is None and submit(api, "s-4", author="u-s")["decision"] == "publish"
    events = [e for e in store.events() if e.type.startswith("author.")]
    assert [e.type for e in events] == ["author.sanctioned"] * 3 + ["author.sanction_lifted"]
    assert events[1].data["author_id"] == "u-s" and "note" not in events[1].data
    from raqib.service.events import public

    assert public(events[1].data)["actor"] == "moderator"  # what a webhook carries: the role, not the name
    audit = [e for e in api.get("/v1/audit", role="moderator").json()["entries"] if e["type"] == "author.sanctioned"]
    assert audit[1]["note"] == "private" and audit[1]["actor"] == "moderator:salma"
    assert api.post("/v1/authors/nobody/sanction", role="moderator", json={"action": "ban"}).status_code == 404
    bad = api.post("/v1/authors/u-s/sanction", role="moderator", json={"action": "exile"})
    assert bad.status_code == 422


def test_a_sanction_expires_by_itself(api: Api, store: Store) -> None:
    submit(api, "e-0", author="u-e")
    past = store.now_ms() - 1000
    store.authors.sanction("u-e", {"action": "ban", "until": past, "reason_code": "spam"}, "moderator:salma", "", "")
    assert author(api, "u-e")["sanction"] is None and submit(api, "e-1", author="u-e")["decision"] == "publish"


def test_remove_visible(api: Api, store: Store) -> None:
    for n in range(5):
        submit(api, f"r-{n}", author="u-r")
    decide(api, "r-0", "remove", "spam")
    answer = api.post(
        "/v1/authors/u-r/sanction",
        role="moderator",
        json={"action": "ban", "reason_code": "spam", "remove_visible": True},
        headers=SALMA,
    ).json()
    assert answer["removed"] == 4
    assert {api.get(f"/v1/items/r-{n}").json()["status"] for n in range(5)} == {"removed"}
    assert [e.type for e in store.events() if e.type == "item.removed"].count("item.removed") == 5  # one event each
    assert author(api, "u-r")["strikes"] == 1  # the sanction's removals add no strike


def test_appeals_both_ways(api: Api) -> None:
    submit(api, "p-1", author="u-p")
    submit(api, "p-2", author="u-p")
    decide(api, "p-1", "remove", "harassment")
    decide(api, "p-2", "remove", "vulgarity")
    appeal = {"item_id": "p-1", "author_id": "u-p", "statement": "كان تعليقي نقدا وليس إساءة"}
    received = api.post("/v1/appeals", json=appeal)
    assert received.status_code == 200 and received.json()["status"] == "appealed"
    again = api.post("/v1/appeals", json=appeal)
    assert again.status_code == 409 and again.json()["error"] == "appeal_refused"
    queue = api.get("/v1/review/queue?status=appealed", role="moderator").json()["items"]
    assert [i["item_id"] for i in queue] == ["p-1"]
    assert decide(api, "p-1", "reverse", "no_violation").status_code == 409  # the moderator who decided
    reversed_ = decide(api, "p-1", "reverse", "no_violation", headers=KARIM)
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "visible"
    statement = reversed_.json()["statement"]["explanation"]
    assert statement["ar"].startswith("بعد مراجعة طعنك") and statement["fr"].startswith("Après examen")
    assert author(api, "u-p")["strikes"] == 1  # reversed: its strike is lifted

    api.post("/v1/appeals", json={**appeal, "item_id": "p-2"})
    upheld = decide(api, "p-2", "uphold", "vulgarity", headers=KARIM)
    assert upheld.status_code == 200 and upheld.json()["status"] == "removed"
    assert author(api, "u-p")["strikes"] == 1
    history = [e["type"] for e in api.get("/v1/items/p-2").json()["history"]]
    assert history[-2:] == ["appeal.received", "appeal.decided"]
    assert api.get("/v1/review/queue?status=appealed", role="moderator").json()["items"] == []


def test_appeals_refused(api: Api, store: Store) -> None:
    submit(api, "q-1", author="u-q")
    base = {"item_id": "q-1", "author_id": "u-q", "statement": "ظلم"}
    visible = api.post("/v1/appeals", json=base)
    assert visible.status_code == 409 and "visible" in visible.json()["message"]
    decide(api, "q-1", "remove", "spam")
    other = api.post("/v1/appeals", json={**base, "author_id": "u-other"})
    assert other.status_code == 422 and other.json()["error"] == "not_the_author"
    assert api.post("/v1/appeals", json={**base, "item_id": "nope"}).status_code == 404
    assert api.post("/v1/appeals", json={**base, "statement": "x" * 2001}).status_code == 422
    late = store.review.appeal("q-1", "u-q", "late", window_ms=0, request_id="")
    assert late[0] == "too_late"


def test_a_rejected_submission_is_appealed(api: Api) -> None:
    api.request(
        "PUT",
        "/v1/policy",
        role="admin",
        json={"rules": [{"id": "links", "when": {"links": True}, "action": "reject"}]},
    )
    assert submit(api, "j-1", author="u-j", text="زوروا www.promo.biz")["status"] == "rejected"
    assert api.post("/v1/appeals", json={"item_id": "j-1", "author_id": "u-j", "statement": "ليس إعلانا"}).ok
    assert decide(api, "j-1", "reverse", "no_violation").json()["status"] == "visible"


def test_erasure(api: Api, store: Store) -> None:
    submit(api, "z-1", author="u-z", text="نص سيحذف عند طلب صاحبه حذف بياناته من الموقع")
    decide(api, "z-1", "remove", "harassment")
    assert store.texts.entries(0, 10)[0][0].excerpt  # banked with its excerpt
    assert api.request("DELETE", "/v1/authors/u-z", role="moderator").status_code == 403
    assert api.request("DELETE", "/v1/authors/u-z", role="admin").status_code == 204
    assert api.get("/v1/authors/u-z", role="moderator").status_code == 404
    item = api.get("/v1/review/items/z-1", role="moderator").json()
    assert item["text"] is None and item["status"] == "removed"
    assert [e["type"] for e in item["history"]][-1] == "item.removed"  # the decisions stay
    record = store.get_item("z-1")
    assert record is not None and record.fields["author_id"].startswith("erased_")
    assert record.fields["author_id"] == store.authors.pseudonym("u-z")  # stable
    assert store.texts.entries(0, 10)[0][0].excerpt == ""
    assert api.request("DELETE", "/v1/authors/u-z", role="admin").status_code == 404


def test_a_crash_between_the_decision_and_the_strike(api: Api, store: Store, settings: dict[str, Any]) -> None:
    """The process dies after the decision's script and before the author's: the strike is owed,
    never lost, and applied once whatever the retries."""
    submit(api, "c-1", author="u-c")
    code = (
        "import os\n"
        "from raqib.service.store import Store\n"
        f"store = Store.from_url({settings['redis_url']!r}, cluster={settings['redis_cluster']}, partitions=4)\n"
        "store.review.decide('c-1', 'remove', 'moderator:salma', {'action': 'remove', 'reason_code': 'spam'}, False)\n"
        "os._exit(9)\n"  # killed before settling the author
    )
    died = subprocess.run([sys.executable, "-c", code], env=process_env(), capture_output=True, text=True)
    assert died.returncode == 9, died.stderr
    assert author(api, "u-c")["strikes"] == 0 and store.authors.pending(0) == ["c-1"]
    from .test_images import image_worker

    worker = image_worker(store, settings)
    assert worker.retry_author_updates(older_than_ms=60_000) == 0  # not yet: the request may still be at it
    assert worker.retry_author_updates(older_than_ms=0) == 1
    assert store.authors.settle("c-1", DAY_MS) == 0 and worker.retry_author_updates(older_than_ms=0) == 0
    assert author(api, "u-c")["strikes"] == 1 and author(api, "u-c")["counts"]["removed"] == 1
