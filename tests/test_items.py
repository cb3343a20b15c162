from __future__ import annotations

from .conftest import Api, report


def test_item_view_after_hide(api: Api) -> None:
    for n, reason in enumerate(["hate", "hate", "spam"]):
        report(api, "c-10", f"u{n}", reason=reason, text="نص التعليق")
    item = api.get("/v1/items/c-10").json()
    assert item["status"] == "hidden"
    assert item["reports"] == 3
    assert item["reasons"] == {"hate": 2, "spam": 1}
    assert item["first_report_at"] <= item["last_report_at"]
    assert item["hidden_at"].endswith("Z")
    assert item["seq"] == 4
    [entry] = item["history"]
    assert entry["type"] == "item.hidden"
    assert (entry["from"], entry["to"], entry["actor"]) == ("visible", "hidden", "system")
    assert entry["rule"] == "default_comment_threshold"
    assert entry["event_id"].startswith("evt_")
    assert list(entry)[:4] == ["seq", "at", "type", "actor"]


def test_unknown_item_is_404(api: Api) -> None:
    response = api.get("/v1/items/never-reported")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_malformed_item_id_is_422(api: Api) -> None:
    response = api.get("/v1/items/" + "x" * 200)
    assert response.status_code == 422


def test_moderator_may_read_items(api: Api) -> None:
    report(api, "c-11", "u1")
    assert api.get("/v1/items/c-11", role="moderator").status_code == 200


def test_a_client_sees_what_was_decided_and_why_but_not_who_or_the_note(api: Api) -> None:
    salma = {"X-Raqib-Actor": "salma"}
    for reader in ("a", "b", "c"):
        report(api, "c-12", reader, reason="hate", text="نص مسيء")
    api.post("/v1/review/items/c-12/claim", role="moderator", json={}, headers=salma)
    decision = {"action": "remove", "reason_code": "hate_speech", "note": "private: the author's 3rd time"}
    removed = api.post("/v1/review/items/c-12/decision", role="moderator", json=decision, headers=salma)
    assert removed.status_code == 200, removed.text

    shown = api.get("/v1/items/c-12").json()
    assert "salma" not in str(shown) and "private" not in str(shown)
    assert [e["type"] for e in shown["history"]] == ["item.hidden", "item.removed"]  # no claims
    removal = shown["history"][-1]
    assert removal["actor"] == "moderator"
    assert removal["decision"]["reason_code"] == "hate_speech"
    assert removal["decision"]["statement"]["explanation"]["ar"]

    for role in ("moderator", "admin"):
        full = api.get("/v1/items/c-12", role=role).json()
        assert [e["type"] for e in full["history"]] == ["item.hidden", "item.claimed", "item.removed"]
        assert full["history"][-1]["actor"] == "moderator:salma"
        assert full["history"][-1]["decision"]["note"] == "private: the author's 3rd time"
