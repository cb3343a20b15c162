"""Statements of reasons and the transparency report: every restriction Raqib takes or records
makes one statement the Transparency Database accepts (checked by a local stand-in that validates
as the database does), sent in batches, retried on 5xx, never twice; the report in JSON and CSV."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from raqib.service.config import Config
from raqib.service.dsa.statements import ItemFacts, Settings, statement_for
from raqib.service.dsa.vocabulary import content_language, puid
from raqib.service.dsa.worker import StatementMaker, StatementSender
from raqib.service.store import Store

from .conftest import Api, report
from .tdb import TransparencyDatabase, validate

SALMA = {"X-Raqib-Actor": "salma"}
TOKEN = "tdb-token-for-tests"


@pytest.fixture
def tdb() -> Iterator[TransparencyDatabase]:
    server = TransparencyDatabase(TOKEN)
    yield server
    server.stop()


def restrict_everything(api: Api) -> None:
    """An auto-hide by readers, a moderator's removal on illegal ground, a rejection at
    submission, an author's suspension: four restrictions."""
    for n in range(3):
        report(api, "c:1@site.fr", f"r{n}", reason="hate", text="يا حمار يا كلب")
    removal = {
        "action": "remove",
        "reason_code": "hate_speech",
        "ground": "illegal",
        "legal_ground": "Loi du 29 juillet 1881, art. 24",
        "explanation": "Provocation à la haine en raison de l'origine.",
        "note": "private note: reviewed twice",
    }
    assert api.post("/v1/review/items/c:1@site.fr/decision", role="moderator", json=removal, headers=SALMA).ok
    policy = {"rules": [{"id": "no-links", "when": {"links": True}, "action": "reject"}]}
    assert api.request("PUT", "/v1/policy", role="admin", json=policy).ok
    text = "Gagnez de l'argent sur www.win.biz"
    submitted = {"item_id": "s-1", "item_type": "comment", "author_id": "a-1", "text": text}
    assert api.post("/v1/submissions", json=submitted).json()["decision"] == "reject"
    sanction = {"action": "suspend", "duration_s": 7 * 86_400, "reason_code": "spam", "note": "private"}
    assert api.post("/v1/authors/a-1/sanction", role="moderator", json=sanction, headers=SALMA).ok


def made(store: Store, settings: dict[str, Any]) -> list[Any]:
    maker = StatementMaker(store, Config.from_mapping(settings), "test")
    while maker.run_once():
        pass
    return store.dsa.statements("-", "+", 1000)


def test_every_restriction_makes_one_valid_statement(api: Api, store: Store, settings: dict[str, Any]) -> None:
    restrict_everything(api)
    statements = made(store, settings)
    bodies = {s.body["decision_facts"].split(" ")[1]: s.body for s in statements}
    assert len(statements) == 4, [s.body["decision_facts"] for s in statements]
    for s in statements:
        assert validate(s.body) == {}, (s.body, validate(s.body))
        assert "salma" not in str(s.body) and "private" not in str(s.body)
    hidden, removed = (s.body for s in statements if s.item_id == "c:1@site.fr")
    assert hidden["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert (hidden["source_type"], hidden["automated_decision"]) == (
        "SOURCE_TYPE_OTHER_NOTIFICATION",
        "AUTOMATED_DECISION_FULLY",
    )
    assert removed["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert removed["illegal_content_legal_ground"].startswith("Loi du 29 juillet 1881")
    assert removed["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert removed["category"] == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert removed["content_language"] == "AR" and removed["puid"] != hidden["puid"]
    assert removed["puid"].startswith("c_3a1_40site_2efr-")
    rejected = next(s.body for s in statements if s.item_id == "s-1")
    assert rejected["source_type"] == "SOURCE_VOLUNTARY" and rejected["content_language"] == "FR"
    # detection: a policy rule found the link; readers (not the model) hid c:1; a moderator suspended
    assert (rejected["automated_detection"], hidden["automated_detection"]) == ("Yes", "No")
    account = next(s.body for s in statements if s.item_id == "")
    assert account["decision_account"] == "DECISION_ACCOUNT_SUSPENDED" and account["end_date_account_restriction"]
    assert account["automated_detection"] == "No"
    assert (account["category"], account["category_specification"], account["category_specification_other"]) == (
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        ["KEYWORD_OTHER"],
        "Spam",
    )
    assert bodies  # every statement has facts
    again = made(store, settings)
    assert len(again) == 4  # events read twice (a crashed worker) make no second statement


def test_puids_and_languages() -> None:
    assert puid("a_b:c") == "a_5fb_3ac" and puid("a:b") != puid("a_b")  # distinct ids stay distinct
    assert len(puid("x" * 600)) == 500
    assert content_language("Très bon article, merci") == "FR"
    assert content_language("3lach nta 7mar") == "AR" and content_language("") is None
    body = statement_for("item.restored", {}, 0, ItemFacts(), Settings(), "evt_0_1-0")
    assert body is None


def test_statements_are_sent_once_and_retried(
    api: Api, store: Store, settings: dict[str, Any], tdb: TransparencyDatabase
) -> None:
    settings.update(dsa_tdb_url=tdb.url, dsa_tdb_token=TOKEN)
    restrict_everything(api)
    statements = made(store, settings)
    sender = StatementSender(store, Config.from_mapping(settings))
    tdb.fail_next = 1
    assert sender.send_once() == 4 and not tdb.stored  # 503: all due again after the first delay
    states = store.dsa.submissions([s.id for s in statements])
    assert {s["state"] for s in states.values()} == {"retrying"}
    time.sleep(0.15)
    assert sender.send_once() == 4 and len(tdb.stored) == 4
    states = store.dsa.submissions([s.id for s in statements])
    assert all(s["state"] == "sent" and s["uuid"] for s in states.values())
    assert sender.send_once() == 0  # nothing left: never sent twice
    calls = len(tdb.calls)
    # A statement the database knows already (sent before a crash) counts as sent
    store.dsa.record_submission(statements[0].id, {"state": "pending"}, 0)
    assert sender.send_once() == 1 and len(tdb.calls) == calls + 1
    assert store.dsa.submissions([statements[0].id])[statements[0].id]["state"] == "sent"
    # One the database refuses keeps its message for an admin
    store.dsa.add_statement("sor_bad", "x", {**statements[1].body, "puid": "bad puid!"}, 1, True)
    assert sender.send_once() == 1
    [listed] = [
        s
        for s in api.get("/v1/transparency/statements", role="admin", params={"limit": 100}).json()["statements"]
        if s["id"] == "sor_bad"
    ]
    assert listed["submission"]["state"] == "rejected" and "puid" in listed["submission"]["error"]


def test_listing_pages_and_refuses_bad_input(api: Api, store: Store, settings: dict[str, Any]) -> None:
    restrict_everything(api)
    made(store, settings)
    first = api.get("/v1/transparency/statements", role="admin", params={"limit": 3}).json()
    assert len(first["statements"]) == 3 and first["next_cursor"]
    assert first["statements"][0]["submission"] == {"state": "not_configured"}
    rest = api.get("/v1/transparency/statements", role="admin", params={"cursor": first["next_cursor"]}).json()
    assert len(rest["statements"]) == 1 and rest["next_cursor"] is None
    since = api.get("/v1/transparency/statements", role="admin", params={"since": "2999-01-01"}).json()
    assert since["statements"] == []
    for params in ({"cursor": "nope"}, {"since": "yesterday"}, {"limit": 0}):
        bad = api.get("/v1/transparency/statements", role="admin", params=params)
        assert bad.status_code in (400, 422) and "error" in bad.json()
    assert api.get("/v1/transparency/statements", role="moderator").status_code == 403


def test_the_transparency_report(api: Api, store: Store, settings: dict[str, Any]) -> None:
    api.post(
        "/v1/notices",
        json={
            "item_id": "n-9",
            "item_type": "comment",
            "url": "https://news.example/a#n-9",
            "category": "STATEMENT_CATEGORY_VIOLENCE",
            "explanation": "Menace de mort.",
            "notifier": {"name": "N", "email": "n@example.org"},
            "good_faith": True,
        },
    )
    restrict_everything(api)
    made(store, settings)
    period = {"from": "2020-01-01", "to": "2100-01-01"}
    body = api.get("/v1/transparency/report", role="admin", params=period).json()
    assert body["notices"]["total"] == 1 and body["notices"]["by_source"]["article_16"] == 1
    assert body["actions"]["total"] == 4
    assert body["actions"]["by_ground"] == {"illegal_content": 1, "incompatible_content": 3}
    assert body["actions"]["by_automation"] == {"fully": 2, "partially": 0, "not_automated": 2}
    assert body["actions"]["by_restriction"] == {"disabling": 1, "removal": 2, "account": 1}
    assert body["sanctions"]["suspend"] == 1 and "auto_hide" in body["automated_means"]
    table = api.get("/v1/transparency/report", role="admin", params={**period, "format": "csv"})
    assert table.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0] == ["section", "metric", "value"] and ["actions", "total", "4"] in rows
    empty = api.get("/v1/transparency/report", role="admin", params={"from": "2001-01-01", "to": "2001-02-01"})
    assert empty.json()["actions"]["total"] == 0
    for params in ({"from": "2026-02-01", "to": "2026-01-01"}, {"from": "soon", "to": "later"}, {}):
        assert api.get("/v1/transparency/report", role="admin", params=params).status_code in (400, 422)


def test_the_report_reads_statements_a_page_at_a_time(store: Store) -> None:
    bodies = [{"puid": f"p-{n}", "category": "STATEMENT_CATEGORY_VIOLENCE"} for n in range(5)]
    for n, body in enumerate(bodies):
        store.dsa.add_statement(f"sor_{n}", f"c-{n}", body, 1_000 + n, send=False)
    now = store.now_ms()
    paged = [s.body["puid"] for s in store.dsa.statements_between(now - 60_000, now + 1, page=2)]
    assert paged == [b["puid"] for b in bodies]  # in the order made, over three pages
    assert list(store.dsa.statements_between(now + 1, now + 60_000, page=2)) == []
