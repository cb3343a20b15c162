"""The Transparency Database's API v2 lists: the service's mapping (``service/dsa/vocabulary.py``)
against the lists read from the database's own source (``tests/tdb_lists.py``), every reason of
Raqib's onto a current category and keywords the stand-in accepts, and ``automated_detection``
only when a model score or an automated rule flagged the content. Pure: no Redis, no server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from raqib.service.dsa import vocabulary as v
from raqib.service.dsa.detection import flagged_automatically
from raqib.service.dsa.report import actions_section
from raqib.service.dsa.statements import ItemFacts, Settings, statement_for
from raqib.service.schemas import REASONS, ReasonCode

from . import tdb_lists as db
from .tdb import validate

REASON_CODES = [c for c in ReasonCode.__args__ if c not in ("no_violation", "report_abuse")]  # type: ignore[attr-defined]


def test_the_service_uses_the_databases_current_lists() -> None:
    assert set(v.CATEGORIES) == db.CATEGORIES and len(v.CATEGORIES) == 16
    assert set(v.KEYWORDS) == db.KEYWORDS
    assert {k: c for c, ks in v.KEYWORDS_OF.items() for k in ks} == db.FILED_UNDER
    assert set(v.VISIBILITIES) == db.VISIBILITIES and set(v.CONTENT_TYPES) == db.CONTENT_TYPES
    assert set(v.SOURCE_TYPES) == db.SOURCE_TYPES and set(v.AUTOMATED_DECISIONS) == db.AUTOMATED_DECISIONS
    assert set(v.COUNTRIES) == db.COUNTRIES and set(v.GROUNDS) == db.GROUNDS and set(v.ACCOUNTS) <= db.ACCOUNTS
    assert v.SOURCE_COMMIT == db.STATEMENT_PHP
    for gone in ("SCOPE_OF_PLATFORM_SERVICE", "PORNOGRAPHY_OR_SEXUALIZED_CONTENT", "NON_CONSENSUAL_BEHAVIOUR"):
        assert f"STATEMENT_CATEGORY_{gone}" not in v.CATEGORIES


def body(reason: str) -> dict[str, Any]:
    data = {"item_id": "c-1", "seq": 3, "actor": "moderator:salma", "decision": {"reason_code": reason}}
    made = statement_for("item.removed", data, 1_750_000_000_000, ItemFacts(text="x"), Settings(), "e-1")
    assert made is not None
    return made


@pytest.mark.parametrize("reason", [*REASONS, *REASON_CODES, "misinformation", "anything-else"])
def test_every_reason_makes_a_statement_the_database_takes(reason: str) -> None:
    statement = body(reason)
    assert validate(statement) == {}, statement
    assert not v.misfiled(statement["category"], statement.get("category_specification", []))


def test_sexual_content_spam_and_other() -> None:
    sexual = body("sexual_content")
    assert (sexual["category"], sexual["category_specification"]) == (
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        ["KEYWORD_ADULT_SEXUAL_MATERIAL"],
    )
    spam = body("spam")
    assert spam["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert (spam["category_specification"], spam["category_specification_other"]) == (["KEYWORD_OTHER"], "Spam")
    other = body("other_violation")
    assert other["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC" and "category_specification" not in other
    assert body("harassment")["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE"


def test_a_notice_stored_with_an_api_v1_category_goes_out_as_its_v2_equivalent() -> None:
    notice = {"category": "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT", "source": v.SOURCE_ARTICLE_16}
    data = {"item_id": "c-1", "seq": 1, "actor": "moderator:salma", "decision": {"reason_code": "hate_speech"}}
    made = statement_for("item.removed", data, 1_750_000_000_000, ItemFacts(notices=(notice,)), Settings(), "e")
    assert made and made["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert made["category_specification"] == ["KEYWORD_ADULT_SEXUAL_MATERIAL"] and validate(made) == {}
    current = {**notice, "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN"}
    made = statement_for("item.removed", data, 1_750_000_000_000, ItemFacts(notices=(current,)), Settings(), "e")
    assert made and made["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN"


def test_the_stand_in_refuses_what_the_database_refuses() -> None:
    good = body("hate_speech")
    assert "category" in validate({**good, "category": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"})
    assert "category" in validate({**good, "category": "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT"})
    assert validate({**good, "category_specification": ["KEYWORD_SPAM"]}).keys() == {"category_specification"}
    misfiled = {**good, "category_specification": ["KEYWORD_ADULT_SEXUAL_MATERIAL"]}
    assert "category_specification" in validate(misfiled)
    assert validate({**misfiled, "category_addition": ["STATEMENT_CATEGORY_OTHER_VIOLATION_TC"]}) == {}


def submitted(kind: str, reasons: list[dict[str, Any]]) -> dict[str, Any]:
    data = {"item_id": "s-1", "seq": 1, "decision": kind, "reasons": reasons, "signal": "submission"}
    made = statement_for(f"item.{kind}", data, 1_750_000_000_000, ItemFacts(text="x"), Settings(), "e")
    assert made is not None and validate(made) == {}
    return made


def test_automated_detection_only_when_a_model_or_a_rule_flagged() -> None:
    by_rule = submitted("rejected", [{"rule": "no-links", "action": "reject", "detail": {}}])
    assert (by_rule["automated_detection"], by_rule["automated_decision"]) == ("Yes", "AUTOMATED_DECISION_FULLY")
    assert "no-links" in by_rule["decision_facts"]
    premoderated = submitted("held", [{"rule": "mode_pre", "action": "hold", "detail": {"mode": "pre"}}])
    assert (premoderated["automated_detection"], premoderated["automated_decision"]) == (
        "No",
        "AUTOMATED_DECISION_FULLY",
    )
    suspended = submitted("rejected", [{"rule": "author_suspended", "action": "reject", "detail": {}}])
    shadow_only = [{"rule": "author_premod", "action": "hold"}, {"rule": "x", "action": "reject", "shadow": True}]
    assert suspended["automated_detection"] == submitted("held", shadow_only)["automated_detection"] == "No"
    hidden = {"item_id": "c-1", "seq": 2, "reports": 3, "threshold": 3}
    by_readers = statement_for(
        "item.hidden", {**hidden, "rule": "default_comment_threshold"}, 0, ItemFacts(), Settings(), "e"
    )
    by_model = statement_for(
        "item.hidden", {**hidden, "rule": "model_confident_offensive"}, 0, ItemFacts(), Settings(), "e"
    )
    clean = statement_for("item.hidden", {**hidden, "rule": "model_confident_clean"}, 0, ItemFacts(), Settings(), "e")
    assert by_readers and by_model and clean
    assert [s["automated_detection"] for s in (by_readers, by_model, clean)] == ["No", "Yes", "No"]
    report = actions_section([by_rule, premoderated, suspended, by_readers, by_model])
    assert report["automated_detection"] == 2 and report["total"] == 5


@pytest.mark.parametrize(
    ("fields", "flagged"),
    [
        ({"scores": json.dumps({"offensive": 0.4}), "hidden_at": "1"}, False),  # scored, hidden by readers
        ({"threshold_rule": "model_confident_clean", "scores": "{}"}, False),
        ({"rules": json.dumps([{"rule": "mode_pre", "shadow": False}])}, False),  # pre-moderation approval
        ({"rules": json.dumps([{"rule": "w", "shadow": True}])}, False),
        ({"rules": "not json"}, False),
        ({"threshold_rule": "model_confident_offensive"}, True),
        ({"bank_match": json.dumps({"entry": "e"})}, True),
        ({"rules": json.dumps([{"rule": "mode_pre", "shadow": False}, {"rule": "links", "shadow": False}])}, True),
    ],
)
def test_what_an_items_record_says_of_detection(fields: dict[str, str], flagged: bool) -> None:
    assert flagged_automatically(fields) is flagged


def test_a_statement_made_before_api_v2_is_sent_in_v2s_terms() -> None:
    made = {**body("hate_speech"), "category": "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT"}
    made.pop("category_specification")
    made["category_addition"] = ["STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"]
    assert validate(made)
    sent = v.current(made)
    assert (sent["category"], sent["category_specification"], sent["category_addition"]) == (
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        ["KEYWORD_ADULT_SEXUAL_MATERIAL"],
        ["STATEMENT_CATEGORY_OTHER_VIOLATION_TC"],
    )
    assert validate(sent) == {} and v.current(sent) == sent
