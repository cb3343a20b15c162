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
