"""How many distinct reporters an item needs before it is hidden, and the rule that decided it.

The seam for the classifier: today the threshold is the configured one per item type; scores
(from the text or image model) will move it up or down, and the rule's name is recorded in the
item's history either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .config import Config


@dataclass(frozen=True)
class Threshold:
    reports: int
    rule: str


def threshold_for(config: Config, item_type: str, scores: Mapping[str, float] | None = None) -> Threshold:
    return Threshold(config.threshold_for(item_type), f"default_{item_type}_threshold")
