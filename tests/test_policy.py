from __future__ import annotations

from raqib.service.config import Config
from raqib.service.policy import Threshold, threshold_for


def test_rules() -> None:
    config = Config()
    assert threshold_for(config, "comment") == Threshold(3, "default_comment_threshold")
    assert threshold_for(config, "comment", {"offensive": 0.95}) == Threshold(2, "model_confident_offensive")
    assert threshold_for(config, "comment", {"offensive": 0.01}) == Threshold(5, "model_confident_clean")
    assert threshold_for(config, "image", {"offensive": 0.5}) == Threshold(3, "default_image_threshold")
    assert threshold_for(config, "comment", {"hate": 0.99}) == Threshold(3, "default_comment_threshold")


def test_configurable() -> None:
    config = Config(confident_offensive_score=0.8, confident_offensive_threshold=1)
    assert threshold_for(config, "comment", {"offensive": 0.85}) == Threshold(1, "model_confident_offensive")
