"""Whether automated means flagged an item — the statement of reasons' ``automated_detection``,
and the transparency report's count of it. Only a model's score or an automated rule counts:
readers' reports, a notice, a moderator's own look, pre-moderation (which holds everything) or an
author's sanction are not detection, even when the classifier scored the item on the way. Pure."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

MODEL_FLAGGED = "model_confident_offensive"  # the threshold rule when the model is confident
NOT_DETECTION = ("mode_", "author_")  # a policy's mode, an author's sanction: they hold or reject all


def automated_hide(rule: Any) -> bool:
    """A hide by the model's score or by a bank match (``pdq_match``, ``text_match``), not by
    readers alone — the threshold rule may name the model when it only made readers count less."""
    name = str(rule or "")
    return name == MODEL_FLAGGED or name.endswith("_match")


def acting_rules(rules: Iterable[Any]) -> list[str]:
    """The submission-time rules that acted (shadow ones only watch) and look at the content."""
    out = []
    for rule in rules:
        entry = rule if isinstance(rule, Mapping) else {"rule": rule}
        name = str(entry.get("rule") or "")
        if name and not entry.get("shadow") and not name.startswith(NOT_DETECTION):
            out.append(name)
    return out


def flagged_automatically(fields: Mapping[str, str]) -> bool:
    """From an item's record: a bank match, the model confident it is offensive, or a policy rule
    that acted at submission. Scores alone (the classifier scores every comment) are not enough."""
    if fields.get("bank_match"):
        return True
    if fields.get("threshold_rule") == MODEL_FLAGGED:
        return True
    try:
        rules = json.loads(fields.get("rules") or "[]")
    except ValueError:
        return False
    return bool(acting_rules(rules if isinstance(rules, list) else []))
