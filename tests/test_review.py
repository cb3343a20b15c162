"""The moderators' API over real HTTP and a real Redis."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from raqib.service.store import Store

from .conftest import Api, direct_report, report

ApiFactory = Callable[[dict[str, Any]], Api]
ALICE = {"X-Raqib-Actor": "alice"}
BOB = {"X-Raqib-Actor": "bob"}


def hide(api: Api, item_id: str, readers: tuple[str, ...] = ("a", "b", "c"), **fields: Any) -> None:
    for reader in readers:
        report(api, item_id, f"{item_id}-{reader}", **fields)


def decide(api: Api, item_id: str, action: str, code: str, headers: dict[str, str] | None = None, **extra: Any) -> Any:
    body = {"action": action, "reason_code": code, **extra}
    return api.post(f"/v1/review/items/{item_id}/decision", role="moderator", json=body, headers=headers or ALICE)


def status(api: Api, item_id: str) -> str:
    result: str = api.get(f"/v1/items/{item_id}").json()["status"]
    return result


def history_types(api: Api, item_id: str) -> list[str]:
    history = api.get(f"/v1/review/items/{item_id}/history", role="moderator").json()["history"]
    return [entry["type"] for entry in history]


def test_the_whole_cycle(api: Api, store: Store) -> None:
    hide(api, "r-1", reason="hate", text="نص مسيء")
    queue = api.get("/v1/review/queue", role="moderator").json()["items"]
    assert [(i["item_id"], i["status"]) for i in queue] == [("r-1", "hidden")]

    claimed = api.post("/v1/review/items/r-1/claim", role="moderator", headers=ALICE).json()
    assert claimed["claimed_by"] == "moderator:alice" and claimed["expires_in_s"] > 200

    restored = decide(api, "r-1", "restore", "no_violation")
    assert restored.status_code == 200, restored.text
    statement = restored.json()["statement"]
    assert statement["explanation"]["ar"] and statement["explanation"]["fr"]
    assert statement["automated_detection"] is False  # readers hid it: nothing automated flagged it
    assert status(api, "r-1") == "visible"
    assert api.get("/v1/review/queue", role="moderator").json()["items"] == []

    # the readers who hid it were overruled: their new reports do not count; new readers' do
    hide(api, "r-1")
    assert api.get("/v1/items/r-1").json()["reports"] == 0
    hide(api, "r-1", ("d", "e", "f"))
    assert status(api, "r-1") == "hidden"
    assert history_types(api, "r-1") == ["item.hidden", "item.claimed", "item.restored", "item.hidden"]

    removed = decide(api, "r-1", "remove", "hate_speech")
    assert removed.json()["status"] == "removed"
    events = [e.type for e in store.events() if e.item_id == "r-1"]
    assert events.count("item.hidden") == 2 and events[-1] == "item.removed"
    assert "item.restored" in events


def test_lease_conflict(api: Api) -> None:
    hide(api, "r-2")
    api.post("/v1/review/items/r-2/claim", role="moderator", headers=ALICE)
    assert api.post("/v1/review/items/r-2/claim", role="moderator", headers=BOB).status_code == 409
    conflict = decide(api, "r-2", "remove", "harassment", headers=BOB)
    assert conflict.status_code == 409 and "alice" in conflict.json()["message"]
    assert decide(api, "r-2", "remove", "harassment").status_code == 200
    assert api.post("/v1/review/items/r-2/claim", role="moderator", headers=BOB).status_code == 200


def test_release_lets_another_moderator_claim(api: Api) -> None:
    hide(api, "r-3")
    api.post("/v1/review/items/r-3/claim", role="moderator", headers=ALICE)
    assert api.request("DELETE", "/v1/review/items/r-3/claim", role="moderator", headers=ALICE).status_code == 200
    assert api.post("/v1/review/items/r-3/claim", role="moderator", headers=BOB).status_code == 200


ROUTES = [
    ("GET", "/v1/review/queue"),
    ("GET", "/v1/review/items/x"),
    ("POST", "/v1/review/items/x/claim"),
    ("DELETE", "/v1/review/items/x/claim"),
    ("POST", "/v1/review/items/x/decision"),
    ("GET", "/v1/review/items/x/history"),
    ("GET", "/v1/audit"),
    ("GET", "/v1/review/stats"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_client_key_is_refused_everywhere(api: Api, method: str, route: str) -> None:
    assert api.request(method, route, role="client").status_code == 403
    assert api.request(method, route, role=None).status_code == 401


def test_admin_may_review(api: Api) -> None:
    assert api.get("/v1/review/queue", role="admin").status_code == 200


def test_decided_items_need_override(api: Api) -> None:
    hide(api, "r-4")
    decide(api, "r-4", "remove", "vulgarity")
    again = decide(api, "r-4", "restore", "no_violation")
    assert again.status_code == 409 and "override" in again.json()["message"]
    assert decide(api, "r-4", "restore", "no_violation", override=True).json()["status"] == "visible"
    assert history_types(api, "r-4")[-1] == "item.restored"


def test_dismiss_keeps_it_visible_and_out_of_the_queue(api: Api) -> None:
    report(api, "r-5", "only-reader")
    assert [i["status"] for i in api.get("/v1/review/queue", role="moderator").json()["items"]] == ["visible"]
    assert decide(api, "r-5", "dismiss", "report_abuse").json()["status"] == "visible"
    assert api.get("/v1/review/queue", role="moderator").json()["items"] == []
    assert decide(api, "r-5", "dismiss", "report_abuse", override=True).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"action": "remove", "reason_code": "no_violation"},
        {"action": "restore", "reason_code": "spam"},
        {"action": "ban", "reason_code": "spam"},
        {"action": "remove"},
        {"action": "remove", "reason_code": "spam", "note": "n" * 501},
    ],
)
def test_bad_decisions_are_422(api: Api, body: dict[str, Any]) -> None:
    hide(api, "r-6")
    assert api.post("/v1/review/items/r-6/decision", role="moderator", json=body).status_code == 422


def test_invalid_transitions_are_409(api: Api) -> None:
    hide(api, "r-7")
    assert decide(api, "r-7", "dismiss", "no_violation").status_code == 409  # hidden: restore it instead
    assert decide(api, "unknown-item", "remove", "spam").status_code == 404


def test_trust_changes_the_outcome(api: Api) -> None:
    # Three readers were overruled once; their reports now weigh 2/3 each: three are not enough.
    hide(api, "t-1", ("x", "y", "z"))
    decide(api, "t-1", "restore", "report_abuse")
    for reader in ("t-1-x", "t-1-y", "t-1-z"):
        report(api, "t-2", reader)
    assert status(api, "t-2") == "visible"
    item = api.get("/v1/review/items/t-2", role="moderator").json()
    assert [r["reporter_trust"]["disagreed"] for r in item["reports_list"]] == [1, 1, 1]


def test_trusted_reporters_hide_with_fewer_reports(api: Api) -> None:
    # Two readers confirmed twice carry 1.5 each: the two of them hide an item.
    for n in range(2):
        for reader in ("trusted-1", "trusted-2", "helper"):
            report(api, f"u-{n}", reader)
        decide(api, f"u-{n}", "remove", "harassment")
    assert report(api, "u-9", "trusted-1").json()["status"] == "visible"
    hidden = report(api, "u-9", "trusted-2").json()
    assert hidden["status"] == "hidden"  # the answer says why: weight 3.0 reached 3, with 2 readers
    assert (hidden["reports"], hidden["weight"], hidden["threshold"], hidden["min_reporters"]) == (2, 3.0, 3, 2)


def test_plain_count_when_weighting_is_off(settings: dict[str, Any], api_factory: ApiFactory) -> None:
    settings["trust_weighting"] = False
    api = api_factory(settings)
    hide(api, "v-1", ("x", "y", "z"))
    decide(api, "v-1", "restore", "report_abuse")
    for reader in ("v-1-x", "v-1-y", "v-1-z"):
        report(api, "v-2", reader)
    assert status(api, "v-2") == "hidden"


def test_brigade_goes_to_review_instead_of_hiding(settings: dict[str, Any], api_factory: ApiFactory) -> None:
    settings.update(brigade_min_reports=3, brigade_ratio=0.6)
    api = api_factory(settings)
    hide(api, "b-1")
    assert status(api, "b-1") == "visible"
    assert history_types(api, "b-1") == ["item.brigade_suspected"]
    [queued] = api.get("/v1/review/queue", role="moderator").json()["items"]
    assert queued["brigade"] is True


def test_queue_filters_sort_and_pages(api: Api) -> None:
    hide(api, "q-hidden", reason="spam")
    for n in range(5):
        report(api, f"q-{n}", "r", reason="hate", item_type="image" if n % 2 else "comment")

    def ids(**params: Any) -> list[str]:
        return [i["item_id"] for i in api.get("/v1/review/queue", role="moderator", params=params).json()["items"]]

    assert ids(status="hidden") == ["q-hidden"]
    assert sorted(ids(status="pending")) == [f"q-{n}" for n in range(5)]
    assert sorted(ids(item_type="image")) == ["q-1", "q-3"]
    assert ids(reason="spam") == ["q-hidden"]
    assert ids()[0] == "q-hidden"  # three reports and hidden: the highest priority
    assert ids(sort="oldest")[0] == "q-hidden"
    first = api.get("/v1/review/queue", role="moderator", params={"limit": 4}).json()
    second = api.get("/v1/review/queue", role="moderator", params={"limit": 4, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 4 and len(second["items"]) == 2 and second["next_cursor"] is None
    assert {i["item_id"] for i in first["items"]}.isdisjoint(i["item_id"] for i in second["items"])
    for junk in ("junk", '["x", "y"]', '[NaN, "a"]', '[true, "a"]', "[1, 2]"):
        cursor = junk if junk == "junk" else base64.urlsafe_b64encode(junk.encode()).decode()
        for sort in ("priority", "oldest"):
            response = api.get("/v1/review/queue", role="moderator", params={"cursor": cursor, "sort": sort})
            assert (response.status_code, response.json()["error"]) == (422, "validation_failed"), junk
    assert api.get("/v1/review/queue", role="moderator", params={"limit": 101}).status_code == 422


def test_audit_trail_after_each_step(api: Api) -> None:
    hide(api, "a-1")
    api.post("/v1/review/items/a-1/claim", role="moderator", headers=ALICE)
    decide(api, "a-1", "remove", "violence", note="threat")
    entries = api.get("/v1/audit", role="moderator").json()["entries"]
    assert [(e["type"], e["actor"]) for e in entries] == [
        ("item.hidden", "system"),
        ("item.claimed", "moderator:alice"),
        ("item.removed", "moderator:alice"),
    ]
    removed = entries[-1]
    assert (removed["from"], removed["to"]) == ("hidden", "removed")
    assert removed["decision"]["note"] == "threat" and removed["item_id"] == "a-1"
    assert all(e["event_id"].startswith("evt_") for e in entries if e["type"] != "item.claimed")
    mine = api.get("/v1/audit", role="moderator", params={"actor": "moderator:alice"}).json()["entries"]
    assert len(mine) == 2
    later = api.get("/v1/audit", role="moderator", params={"since": "2100-01-01T00:00:00Z"}).json()["entries"]
    assert later == []
    assert api.get("/v1/audit", role="moderator", params={"since": "yesterday"}).status_code == 422
    early = api.get("/v1/audit", role="moderator", params={"since": "0199-02-20T07:19:21Z"})
    assert early.status_code == 200 and len(early.json()["entries"]) == 3  # before 1970: from the first entry
    assert api.get("/v1/audit", role="moderator", params={"until": "0.5"}).status_code == 422  # not seconds
    naive = api.get("/v1/audit", role="moderator", params={"since": "2000-01-01T00:00:00"})
    assert naive.status_code == 200 and len(naive.json()["entries"]) == 3


def test_review_item_shows_everything(api: Api) -> None:
    report(api, "i-1", "reader-1", reason="hate", note="شتم", text="النص الأصلي")
    api.post("/v1/review/items/i-1/claim", role="moderator", headers=ALICE)
    item = api.get("/v1/review/items/i-1", role="moderator").json()
    assert item["text"] == "النص الأصلي"
    [entry] = item["reports_list"]
    assert (entry["reporter_id"], entry["reason"], entry["note"]) == ("reader-1", "hate", "شتم")
    assert entry["reporter_trust"] == {"agreed": 0, "disagreed": 0, "weight": 1.0}
    assert item["claim"]["claimed_by"] == "moderator:alice"


def test_stats(api: Api) -> None:
    hide(api, "s-1", reason="spam")
    hide(api, "s-2", reason="spam")
    hide(api, "s-3", reason="hate")
    report(api, "s-4", "lonely")
    decide(api, "s-1", "remove", "spam")
    decide(api, "s-2", "restore", "no_violation")
    stats = api.get("/v1/review/stats", role="moderator").json()
    assert stats["queue"] == {"pending": 1, "hidden": 1, "held": 0, "total": 2}
    assert stats["decisions"] == {"remove": 1, "restore": 1}
    assert stats["auto_hide"]["spam"] == {"confirmed": 1, "reversed": 1, "precision": 0.5}
    assert stats["median_time_to_decision_s"] is not None

    def queue_counts() -> dict[str, int]:
        counts: dict[str, int] = api.get("/v1/review/stats", role="moderator").json()["queue"]
        return counts

    report(api, "s-2", "s-2-new")  # a new round: queued again, visible
    assert queue_counts() == {"pending": 2, "hidden": 1, "held": 0, "total": 3}
    hide(api, "s-4", readers=("x", "y"))  # with "lonely", enough to hide
    assert queue_counts() == {"pending": 1, "hidden": 2, "held": 0, "total": 3}
    decide(api, "s-3", "restore", "no_violation")
    assert queue_counts() == {"pending": 1, "hidden": 1, "held": 0, "total": 2}


def test_restore_after_a_storm_of_reporters(api: Api, store: Store) -> None:
    from raqib.service.store import ReportRules

    rules = ReportRules(brigade_min=10**6)
    for n in range(8200):  # beyond what one unpack() can take
        direct_report(store, "storm-1", f"s{n}", reason="spam", rules=rules)
    assert decide(api, "storm-1", "restore", "report_abuse").json()["status"] == "visible"
    assert report(api, "storm-1", "s7").json()["duplicate"] is True


def test_audit_pages_through_long_streams(api: Api, store: Store) -> None:
    for n in range(1200):
        direct_report(store, f"aud-{n}", "r", reason="spam", threshold=1)
    everything = api.get("/v1/audit", role="moderator", params={"limit": 1000}).json()["entries"]
    assert len(everything) == 1000
    times = [e["at"] for e in everything]
    assert times == sorted(times)
    first = api.get("/v1/audit", role="moderator", params={"limit": 5}).json()["entries"]
    assert first == everything[:5]
    assert api.get("/v1/audit", role="moderator", params={"actor": "moderator:nobody"}).json()["entries"] == []
