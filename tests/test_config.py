from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from raqib.service.config import Config, ConfigError, RateLimit


def test_defaults_are_valid() -> None:
    config = Config()
    assert config.threshold_for("comment") == 3
    assert config.reporter_limit == RateLimit(30, 60)
    assert config.key_limit is None


def test_environment_overrides_and_converts() -> None:
    config = Config.from_env(
        {"RAQIB_THRESHOLD_IMAGE": "5", "RAQIB_DATA_DIR": "/tmp/x", "REDIS_URL": "redis://h:1/0", "PATH": "/bin"}
    )
    assert config.threshold_image == 5
    assert config.data_dir == Path("/tmp/x")
    assert config.redis_url == "redis://h:1/0"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"RAQIB_PARTITIONS": "many"}, "RAQIB_PARTITIONS"),
        ({"RAQIB_PARTITIONS": "0"}, "RAQIB_PARTITIONS"),
        ({"RAQIB_THRESHOLD_COMMENT": "0"}, "RAQIB_THRESHOLD_COMMENT"),
        ({"RAQIB_REPORTER_RATE_LIMIT": "fast"}, "RAQIB_REPORTER_RATE_LIMIT"),
        ({"RAQIB_API_KEYS": "root:abcdefghij"}, "RAQIB_API_KEYS"),
        ({"RAQIB_API_KEYS": "client:short"}, "RAQIB_API_KEYS"),
        ({"RAQIB_REDIS_FSYNC": "sometimes"}, "RAQIB_REDIS_FSYNC"),
        ({"RAQIB_THRESHOLDS": "3"}, "RAQIB_THRESHOLDS"),
        ({"RAQIB_WEBHOOK_ALLOW_PRIVATE": "maybe"}, "RAQIB_WEBHOOK_ALLOW_PRIVATE"),
        ({"RAQIB_WEBHOOK_RETRY_SCHEDULE": "5s,soon"}, "RAQIB_WEBHOOK_RETRY_SCHEDULE"),
        ({"RAQIB_WEBHOOK_LEASE_S": "5", "RAQIB_WEBHOOK_TIMEOUT_S": "10"}, "RAQIB_WEBHOOK_LEASE_S"),
        ({"RAQIB_LOG_FORMAT": "xml"}, "RAQIB_LOG_FORMAT"),
        ({"RAQIB_CONFIDENT_OFFENSIVE_SCORE": "high"}, "RAQIB_CONFIDENT_OFFENSIVE_SCORE"),
        ({"RAQIB_BRIGADE_RATIO": "1.5"}, "RAQIB_BRIGADE_RATIO"),
        ({"RAQIB_MAX_IMAGE_PIXELS": "0"}, "RAQIB_MAX_IMAGE_PIXELS"),
        ({"RAQIB_PDQ_MAX_DISTANCE": "300"}, "RAQIB_PDQ_MAX_DISTANCE"),
        ({"RAQIB_IMAGE_MODEL": "/models/vit"}, "RAQIB_IMAGE_MODEL_LABELS"),
        ({"RAQIB_SESSION_IDLE_MINUTES": "0"}, "RAQIB_SESSION_IDLE_MINUTES"),
    ],
)
def test_bad_values_fail_naming_the_key(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Config.from_env(env)


def test_mapping_rejects_wrong_types_and_unknown_keys() -> None:
    with pytest.raises(ConfigError, match="RAQIB_PARTITIONS"):
        Config.from_mapping({"partitions": "4x"})
    with pytest.raises(ConfigError, match="RAQIB_NOPE"):
        Config.from_mapping({"nope": 1})


def test_api_keys_parse_to_roles() -> None:
    config = Config.from_mapping({"api_keys": "client:k-123456789, admin:a-123456789"})
    assert dict(config.keys) == {"k-123456789": "client", "a-123456789": "admin"}


@pytest.mark.parametrize(
    ("text", "expected"), [("20/60", RateLimit(20, 60)), ("5/1m", RateLimit(5, 60)), ("off", None)]
)
def test_rate_limit_syntax(text: str, expected: RateLimit | None) -> None:
    assert RateLimit.parse(text) == expected


def test_booleans_durations_and_cluster_urls() -> None:
    config = Config.from_env({"RAQIB_WEBHOOK_ALLOW_PRIVATE": "yes", "RAQIB_WEBHOOK_RETRY_SCHEDULE": "100ms,2s,1m,1h"})
    assert config.webhook_allow_private is True
    assert config.retry_delays_ms == [100, 2000, 60_000, 3_600_000]
    assert Config(redis_url="redis+cluster://h:7000").cluster
    assert Config(redis_url="redis://h:6379", redis_cluster=True).cluster
    assert not Config(redis_url="redis://h:6379").cluster


def test_every_setting_is_documented_in_the_readme() -> None:
    """Every limit is explicit and documented: each field has its ``RAQIB_`` row in README.md (a
    row may name two, ``RAQIB_X_MIN`` / ``_MAX``)."""
    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(RAQIB_[A-Z0-9_]+)`", text))
    for full, other in re.findall(r"`(RAQIB_[A-Z0-9_]+)` / `(_[A-Z0-9_]+)`", text):
        documented.add(full.rsplit("_", 1)[0] + other)
    settings = {f"RAQIB_{f.name.upper()}" for f in dataclasses.fields(Config) if not f.name.startswith("_")}
    assert sorted(settings - documented) == []
