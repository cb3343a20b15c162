"""How many distinct reporters an item needs before it is hidden, and the rule that decided it.

The configured threshold per item type, moved by the model's ``offensive`` score when there is
one: fewer reports when the model is confident the item is offensive, more when it is confident
the item is clean. The rule's name is stored on the item and recorded in its history when it hides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .config import Config
from .store import ReportRules


@dataclass(frozen=True)
class Threshold:
    reports: int
    rule: str


def threshold_for(config: Config, item_type: str, scores: Mapping[str, float] | None = None) -> Threshold:
    offensive = (scores or {}).get("offensive")
    if offensive is not None and offensive >= config.confident_offensive_score:
        return Threshold(config.confident_offensive_threshold, "model_confident_offensive")
    if offensive is not None and offensive <= config.confident_clean_score:
        return Threshold(config.confident_clean_threshold, "model_confident_clean")
    return Threshold(config.threshold_for(item_type), f"default_{item_type}_threshold")


def report_rules(config: Config) -> ReportRules:
    """How the report script counts, from the configuration."""
    limit = config.reporter_limit
    return ReportRules(
        rate_limit=limit.limit if limit else 0,
        rate_window_s=limit.window_s if limit else 60,
        weighted=config.trust_weighting,
        min_reporters=config.min_reporters,
        brigade_ratio=config.brigade_ratio,
        brigade_min=config.brigade_min_reports,
        new_reporter_ms=int(config.new_reporter_minutes * 60_000),
    )
