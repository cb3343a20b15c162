"""DSA notices (Art. 16) and trusted flaggers (Art. 22) against a real Redis over real HTTP: the
notice is stored with its item, queued for moderators ahead of readers' reports when a trusted
flagger sent it, announced to webhooks, and its outcome told to the notifier without the
moderator's name or note; bad input is a 4xx naming the field, with nothing stored."""

from __future__ import annotations

from typing import Any

from raqib.service.config import Config
from raqib.service.dsa.worker import StatementMaker
from raqib.service.store import Store

from .conftest import Api, report

MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
SPEECH = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
SALMA = {"X-Raqib-Actor": "salma"}


def notice(item_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "item_id": item_id,
        "item_type": "comment",
        "url": f"https://news.example/article-7#{item_id}",
        "text": "يا حمار، سير تقود",
        "category": SPEECH,
        "explanation": "Insulte publique visant une personne (art. R621-2 du code pénal).",
        "notifier": {"name": "Nadia B.", "email": "nadia@example.org"},
        "good_faith": True,
    }
    return {**body, **fields}


def events_of(store: Store, kind: str) -> list[Any]:
    return [e for e in store.events() if e.type == kind]


def test_a_notice_is_received_queued_and_announced(api: Api, store: Store) -> None:
    answer = api.post("/v1/notices", json=notice("n-1"))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["notice_id"].startswith("ntc_") and body["source"] == "SOURCE_ARTICLE_16" and body["received_at"]
    [event] = events_of(store, "notice.received")
    assert event.data["notice_id"] == body["notice_id"] and event.item_id == "n-1"
    assert "notifier" not in event.data and "nadia@example.org" not in str(event.data)
    view = api.get("/v1/review/items/n-1", role="moderator").json()
    [shown] = view["notices"]
    assert shown["explanation"].startswith("Insulte") and shown["notifier_name"] == "Nadia B."
    assert "email" not in str(shown) and view["reports"] == 0 and view["status"] == "visible"
    queue = api.get("/v1/review/queue", role="moderator").json()["items"]
    assert [i["item_id"] for i in queue] == ["n-1"]


def test_trusted_flaggers_go_first_and_unknown_ones_are_refused(api: Api, store: Store) -> None:
    assert api.post("/v1/trusted-flaggers", role="admin", json={"id": "tf-1", "name": "e-Enfance"}).status_code == 201
    assert api.post("/v1/trusted-flaggers", role="admin", json={"id": "tf-1", "name": "x"}).status_code == 409
    for n in range(3):  # readers' reports on another comment
        report(api, "busy-1", f"r{n}", reason="hate", text="نص")
    flagged = api.post("/v1/notices", json=notice("tf-item", trusted_flagger_id="tf-1"))
    assert flagged.json()["source"] == "SOURCE_TRUSTED_FLAGGER"
    queue = [i["item_id"] for i in api.get("/v1/review/queue", role="moderator").json()["items"]]
    assert queue[0] == "tf-item"
    unknown = api.post("/v1/notices", json=notice("tf-x", trusted_flagger_id="nobody"))
    assert unknown.status_code == 422 and "trusted_flagger_id" in unknown.json()["message"]
    assert store.get_item("tf-x") is None
    listed = api.get("/v1/trusted-flaggers", role="admin").json()["trusted_flaggers"]
    assert listed[0]["id"] == "tf-1" and listed[0]["notices"]["sent"] == 1
    assert api.get("/v1/trusted-flaggers", role="client").status_code == 403


def test_bad_notices_name_the_field_and_store_nothing(api: Api, store: Store) -> None:
    cases = [
        (notice("b-1", notifier=None), "notifier"),
        (notice("b-2", good_faith=False), "good_faith"),
        (notice("b-3", category="HATE"), "category"),
        (notice("b-4", explanation="x" * 5001), "explanation"),
        (notice("b-5", url="javascript:alert(1)"), "url"),
        (notice("b-6", notifier={"name": "N", "email": "not-an-address"}), "notifier.email"),
        ({k: v for k, v in notice("b-7").items() if k != "good_faith"}, "good_faith"),
    ]
    for body, field in cases:
        refused = api.post("/v1/notices", json=body)
        assert refused.status_code == 422, (field, refused.text)
        assert refused.json()["error"] == "validation_failed" and field in refused.text
    assert not list(store.events())
    anonymous = api.post("/v1/notices", json=notice("b-8", category=MINORS, notifier=None))
    assert anonymous.status_code == 201  # Art. 16(2)(c): no identity needed for minors' protection
    report(api, "img-1", "r1", item_type="image", reason="sexual")
    assert api.post("/v1/notices", json=notice("img-1")).status_code == 409  # it is an image


def test_the_notifier_is_told_the_outcome_with_its_ground(api: Api, store: Store, settings: dict[str, Any]) -> None:
    api.post("/v1/trusted-flaggers", role="admin", json={"id": "tf-2", "name": "Pharos"})
    api.post("/v1/notices", json=notice("d-1", trusted_flagger_id="tf-2"))
    api.post("/v1/notices", json=notice("d-2"))
    missing_law = {"action": "remove", "reason_code": "harassment", "ground": "illegal"}
    refused = api.post("/v1/review/items/d-1/decision", role="moderator", json=missing_law, headers=SALMA)
    assert refused.status_code == 422 and "legal_ground" in refused.text
    decision = {
        **missing_law,
        "legal_ground": "Code pénal, art. R621-2 (injure non publique)",
        "explanation": "Le commentaire injurie une personne nommée.",
        "note": "private: the notifier is a regular",
    }
    assert api.post("/v1/review/items/d-1/decision", role="moderator", json=decision, headers=SALMA).ok
    dismissal = {"action": "dismiss", "reason_code": "no_violation"}
    assert api.post("/v1/review/items/d-2/decision", role="moderator", json=dismissal, headers=SALMA).ok
    maker = StatementMaker(store, Config.from_mapping(settings), "test")
    assert maker.run_once() > 0
    assert maker.run_once() >= 0  # the notice.decided events it wrote: read and ignored
    told = {e.item_id: e.data for e in events_of(store, "notice.decided")}
    assert set(told) == {"d-1", "d-2"}
    assert told["d-1"]["confirmed"] is True and told["d-1"]["ground"] == "illegal"
    assert told["d-1"]["legal_ground"].startswith("Code pénal") and "Art. 21" in told["d-1"]["redress"]
    assert told["d-2"]["confirmed"] is False and told["d-2"]["decision"] == "dismissed"
    assert "salma" not in str(told) and "private" not in str(told)
    maker.handle(0, "0-1", {})  # an empty event changes nothing
    StatementMaker(store, Config.from_mapping(settings), "again").run_once(reclaim=True)
    assert len(events_of(store, "notice.decided")) == 2  # once per decision
    [flagger] = api.get("/v1/trusted-flaggers", role="admin").json()["trusted_flaggers"]
    assert flagger["notices"] == {"sent": 1, "confirmed": 1, "rejected": 0, "pending": 0}
    assert api.request("DELETE", "/v1/trusted-flaggers/tf-2", role="admin").ok
    assert api.request("DELETE", "/v1/trusted-flaggers/tf-2", role="admin").status_code == 404
