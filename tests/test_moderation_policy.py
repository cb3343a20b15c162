"""The policy engine as pure functions: every condition, every mode, the strongest action, shadow
rules, sections, and validation with the path of the bad field. No Redis, no model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from raqib.service.moderation.policy import DEFAULT_POLICY, Facts, Policy, Submission, evaluate, summary


def policy(**document: Any) -> Policy:
    return Policy.model_validate(document)


def decide(p: Policy, text: str = "نص عادي", section: str | None = None, **facts: Any) -> tuple[str, list[str]]:
    verdict = evaluate(p, Submission("comment", text, section), Facts(**facts))
    return verdict.decision, [m.rule + (" (shadow)" if m.shadow else "") for m in verdict.matches]


def rule(rule_id: str, when: dict[str, Any], action: str = "hold", **extra: Any) -> dict[str, Any]:
    return {"id": rule_id, "when": when, "action": action, **extra}


def test_score_holds_at_or_above_its_minimum() -> None:
    p = policy(rules=[rule("toxic", {"score": {"offensive": 0.9, "hate": 0.5}})])
    assert decide(p, scores={"offensive": 0.9, "hate": 0.1}) == ("hold", ["toxic"])
    assert decide(p, scores={"offensive": 0.2, "hate": 0.6}) == ("hold", ["toxic"])
    assert decide(p, scores={"offensive": 0.89, "hate": 0.1}) == ("publish", [])
    assert decide(p, scores=None) == ("publish", [])  # no model: the condition cannot hold


def test_the_strongest_action_wins_and_shadow_rules_never_act() -> None:
    p = policy(
        rules=[
            rule("flagged", {"score": {"offensive": 0.5}}, "flag"),
            rule("slurs", {"wordlist": "slurs"}, "reject"),
            rule("links", {"links": True}, "hold", shadow=True),
        ]
    )
    verdict = evaluate(p, Submission("comment", "www.spam.com"), Facts({"offensive": 0.6}, {"slurs": ["x"]}))
    assert verdict.decision == "reject"
    assert verdict.reasons == [
        {"rule": "flagged", "action": "flag", "detail": {"scores": {"offensive": 0.6}}},
        {"rule": "slurs", "action": "reject", "detail": {"wordlist": "slurs", "words": ["x"]}},
        {"rule": "links", "action": "hold", "detail": {"links": ["www.spam.com"]}, "shadow": True},
    ]
    assert decide(p, "see www.spam.com") == ("publish", ["links (shadow)"])
    assert decide(p, scores={"offensive": 0.7}) == ("flag", ["flagged"])


def test_every_condition_of_a_rule_must_hold() -> None:
    p = policy(rules=[rule("toxic-link", {"score": {"spam": 0.5}, "links": True})])
    assert decide(p, "buy at shop.com", scores={"spam": 0.8}) == ("hold", ["toxic-link"])
    assert decide(p, "buy now", scores={"spam": 0.8}) == ("publish", [])


def test_length_and_flood() -> None:
    p = policy(rules=[rule("short", {"length": {"min": 3}}), rule("long", {"length": {"max": 20}}, "reject")])
    assert decide(p, "اه") == ("hold", ["short"])
    assert decide(p, "ب" * 21) == ("reject", ["long"])
    assert decide(p, "نص عادي") == ("publish", [])
    flood = policy(rules=[rule("flood", {"flood": {"count": 5, "window_s": 60}})])
    assert decide(flood, recent={60: 5}) == ("hold", ["flood"])
    assert decide(flood, recent={60: 4}) == ("publish", [])


def test_modes_and_sections() -> None:
    p = policy(
        mode="post",
        rules=[rule("toxic", {"score": {"offensive": 0.9}}, "reject")],
        sections={
            "politics": {"mode": "pre"},
            "sport": {"rules": [rule("sport-toxic", {"score": {"offensive": 0.8}})]},
            "economy": {"mode": "pre_links"},
        },
    )
    assert decide(p, section="politics") == ("hold", ["mode_pre"])
    assert decide(p, section="politics", scores={"offensive": 0.95}) == (
        "reject",
        ["toxic"],
    )  # pre never publishes a reject
    assert decide(p, section="sport", scores={"offensive": 0.85}) == ("hold", ["sport-toxic"])
    assert decide(p, section="news", scores={"offensive": 0.85}) == ("publish", [])  # unknown: the default
    assert decide(p, "see https://x.org", section="economy") == ("hold", ["mode_pre_links"])
    assert decide(p, "no link here", section="economy") == ("publish", [])


def test_an_image_matching_the_bank_is_rejected_by_the_default_policy() -> None:
    p = Policy.model_validate(DEFAULT_POLICY)
    verdict = evaluate(p, Submission("image", ""), Facts(image_match={"entry": "img-1", "distance": 8}))
    assert verdict.decision == "reject" and verdict.matches[0].rule == "removed_image_again"
    assert decide(p, scores={"offensive": 0.95}) == ("hold", ["model_offensive_high"])


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"mode": "later"}, "mode"),
        ({"rules": [rule("a", {"score": {"offensive": 1.5}})]}, "rules.0.when.score.offensive"),
        ({"rules": [rule("a", {"score": {"toxicity": 0.5}})]}, "rules.0.when.score.toxicity.[key]"),
        ({"rules": [rule("a", {"wordlist": "bad name!"})]}, "rules.0.when.wordlist"),
        ({"rules": [rule("a", {})]}, "rules.0.when"),
        ({"rules": [rule("a", {"links": True}, "delete")]}, "rules.0.action"),
        ({"rules": [rule("a", {"author": {}})]}, "rules.0.when.author"),
        ({"rules": [rule("a", {"author_strikes": 3})]}, "rules.0.when.author_strikes"),
        ({"rules": [rule("a", {"length": {"min": 9, "max": 2}})]}, "rules.0.when.length"),
        ({"rules": [rule("a", {"links": True}) | {"shadow": 0}]}, "rules.0.shadow"),  # no coercion
        ({"rules": [rule("a", {"links": None, "score": None})]}, "rules.0.when"),  # null is no condition
        ({"sections": {"s": {"mode": None, "rules": []}}}, "sections.s"),
        ({"rules": [rule("a", {"links": True}), rule("a", {"links": False})]}, "(body)"),
        (
            {"sections": {"sport": {"rules": [rule("x", {"flood": {"count": 1, "window_s": 5}})]}}},
            "sections.sport.rules.0.when.flood.count",
        ),
    ],
)
def test_invalid_policies_name_the_bad_field(document: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate(document)
    first = caught.value.errors()[0]
    assert ".".join(str(p) for p in first["loc"]) == ("" if path == "(body)" else path)


def test_summary_of_a_change() -> None:
    before = Policy.model_validate(DEFAULT_POLICY)
    after = policy(
        mode="pre", rules=[rule("model_offensive_high", {"score": {"offensive": 0.8}}), rule("n", {"links": True})]
    )
    assert summary(before, after) == {
        "mode": ["post", "pre"],
        "rules_added": ["n"],
        "rules_removed": ["removed_image_again", "removed_text_again"],
        "rules_changed": ["model_offensive_high"],
        "sections": [],
    }
