"""The site's policy and the pure function that applies it to a submission.

A policy is one JSON document: a default ``mode``, ordered ``rules`` (``{"id", "when": {conditions},
"action": reject|hold|flag, "shadow"}``) and per-``sections`` overrides (a section's ``mode``
replaces the default; its ``rules`` are evaluated in addition to the default rules). Every
condition of a rule's ``when`` must hold for the rule to match. The strongest action of the
matching, non-shadow rules wins (reject > hold > flag > publish); shadow rules are recorded and
never act; the mode may then hold what would have been published (``pre``: everything not
rejected; ``pre_links``: comments with links). :func:`evaluate` reads plain data only, so every
condition and mode is tested without Redis or the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from raqib.models.categories import CATEGORIES

from ..schemas import absent_not_null

Action = Literal["reject", "hold", "flag"]
Decision = Literal["publish", "flag", "hold", "reject"]
Mode = Literal["post", "pre", "pre_links"]
STRENGTH: dict[str, int] = {"publish": 0, "flag": 1, "hold": 2, "reject": 3}
NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
MAX_RULES = 100
MAX_SECTIONS = 200
LINK = re.compile(
    r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|info|biz|ma|tn|dz|eg|sa|ae|io|co|ly|xyz|me)\b"
)
Category = Literal["offensive", "hate", "vulgar", "violence", "spam", "sexual"]  # sexual: the image model


def _at_least_one(schema: dict[str, Any]) -> None:
    absent_not_null(schema)
    schema["minProperties"] = 1


def _strikes_or_new(schema: dict[str, Any]) -> None:
    absent_not_null(schema)
    schema["anyOf"] = [{"required": ["strikes"]}, {"required": ["new"]}]


class _Strict(BaseModel):
    """The policy document as it is stored and read back: no unknown field, no coercion
    (``"shadow": 0`` is not a boolean) and no null (a field not wanted is left out, as the stored
    document leaves it out), so that what is accepted is exactly what reads back."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=absent_not_null)

    @model_validator(mode="before")
    @classmethod
    def no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(str(k) for k, v in data.items() if v is None)
            if nulls:
                raise ValueError(f"{', '.join(nulls)}: null is not a value here; leave the field out")
        return data


class Length(_Strict):
    """Matches a text shorter than ``min`` or longer than ``max`` characters."""

    model_config = ConfigDict(json_schema_extra=_at_least_one)

    min: int | None = Field(default=None, ge=0, le=100_000)
    max: int | None = Field(default=None, ge=1, le=100_000)

    @model_validator(mode="after")
    def one_bound(self) -> Length:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self


class Flood(_Strict):
    """Matches an author who submitted ``count`` items or more (this one included) in ``window_s``."""

    count: int = Field(ge=2, le=10_000)
    window_s: int = Field(ge=1, le=86_400)


class AuthorCondition(_Strict):
    """Matches an author with ``strikes`` active strikes or more, or (``new``) in their first
    ``submissions`` submissions."""

    model_config = ConfigDict(json_schema_extra=_strikes_or_new)

    strikes: int | None = Field(default=None, ge=1, le=1000)
    new: bool | None = None
    submissions: int = Field(default=3, ge=1, le=1000, description="how many first submissions count as new")

    @model_validator(mode="after")
    def something(self) -> AuthorCondition:
        if self.strikes is None and self.new is None:
            raise ValueError("give strikes, new or both")
        return self


class TextBank(_Strict):
    """Matches a near-copy of a comment moderators removed (the bank of removed comments)."""

    min_similarity: float = Field(default=0.8, ge=0.3, le=1)


class Conditions(_Strict):
    """What a rule looks at; every condition given must hold (at least one)."""

    model_config = ConfigDict(json_schema_extra=_at_least_one)

    score: dict[Category, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None,
        json_schema_extra={"minProperties": 1},
        description="category -> minimum score in [0, 1]; any at or above matches",
    )
    wordlist: str | None = Field(default=None, pattern=NAME_PATTERN, description="a word list's name")
    links: bool | None = Field(default=None, description="true: the text has a link; false: it has none")
    length: Length | None = None
    flood: Flood | None = None
    image_match: bool | None = Field(default=None, description="true: the image matches the bank of removed images")
    text_bank: TextBank | None = None
    author: AuthorCondition | None = None

    @model_validator(mode="after")
    def something(self) -> Conditions:
        if not self.model_fields_set:
            raise ValueError("a rule needs at least one condition")
        for category, minimum in (self.score or {}).items():
            if not 0 <= minimum <= 1:
                raise ValueError(f"score.{category}: must be in [0, 1]")
        if self.score == {}:
            raise ValueError("score: name at least one category")
        return self


class Rule(_Strict):
    id: str = Field(pattern=NAME_PATTERN)
    when: Conditions
    action: Action
    shadow: bool = Field(default=False, description="recorded and counted, never acts")


class Section(_Strict):
    mode: Mode | None = None
    rules: list[Rule] = Field(default_factory=list, max_length=MAX_RULES)


class Policy(_Strict):
    mode: Mode = "post"
    rules: list[Rule] = Field(default_factory=list, max_length=MAX_RULES)
    sections: dict[str, Section] = Field(
        default_factory=dict,
        max_length=MAX_SECTIONS,
        json_schema_extra={"propertyNames": {"pattern": NAME_PATTERN}},
        description="per section (a name like a rule's id): its mode, and rules evaluated after the default rules",
    )

    @model_validator(mode="after")
    def unique_ids(self) -> Policy:
        seen: set[str] = set()
        for rule in [*self.rules, *(r for s in self.sections.values() for r in s.rules)]:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        for name in self.sections:
            if not re.match(NAME_PATTERN, name):
                raise ValueError(f"section name {name!r}: 1-64 of A-Z a-z 0-9 _ . -")
        return self

    def rules_for(self, section: str | None) -> list[Rule]:
        extra = self.sections[section].rules if section in self.sections else []
        return [*self.rules, *extra]

    def mode_for(self, section: str | None) -> Mode:
        chosen = self.sections[section].mode if section in self.sections else None
        return chosen or self.mode

    def wordlists(self) -> set[str]:
        """The word lists the rules name (a submission loads only these)."""
        rules = [*self.rules, *(r for s in self.sections.values() for r in s.rules)]
        return {r.when.wordlist for r in rules if r.when.wordlist}

    def text_bank_similarity(self, section: str | None) -> float | None:
        """The lowest ``min_similarity`` the section's rules ask of the text bank, if any do."""
        wanted = [r.when.text_bank.min_similarity for r in self.rules_for(section) if r.when.text_bank]
        return min(wanted) if wanted else None

    def flood_windows(self) -> set[int]:
        rules = [*self.rules, *(r for s in self.sections.values() for r in s.rules)]
        return {r.when.flood.window_s for r in rules if r.when.flood}


# What ships: post-moderation, and comments the model is very sure are offensive held for review.
DEFAULT_POLICY: dict[str, Any] = {
    "mode": "post",
    "rules": [
        {"id": "model_offensive_high", "when": {"score": {"offensive": 0.9}}, "action": "hold"},
        {"id": "removed_image_again", "when": {"image_match": True}, "action": "reject"},
        {"id": "removed_text_again", "when": {"text_bank": {"min_similarity": 0.7}}, "action": "hold"},
    ],
    "sections": {},
}


@dataclass(frozen=True)
class Submission:
    item_type: str
    text: str
    section: str | None = None


@dataclass(frozen=True)
class Facts:
    """What was gathered before deciding: the model's scores, what each word list found, the
    author's submission counts per window (seconds -> count, this submission included), and the
    bank entry an image matches."""

    scores: Mapping[str, float] | None = None
    wordlist_hits: Mapping[str, list[str]] = field(default_factory=dict)
    recent: Mapping[int, int] = field(default_factory=dict)
    image_match: Mapping[str, Any] | None = None
    text_match: Mapping[str, Any] | None = None  # the closest banked comment: entry, item_id, similarity
    author_strikes: int = 0  # active
    author_submitted: int = 0  # before this submission
    sanction: str | None = None  # premod, suspend or ban, in force


@dataclass(frozen=True)
class Match:
    rule: str
    action: str
    shadow: bool
    detail: dict[str, Any]

    def as_reason(self) -> dict[str, Any]:
        reason: dict[str, Any] = {"rule": self.rule, "action": self.action, "detail": self.detail}
        if self.shadow:
            reason["shadow"] = True
        return reason


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    matches: list[Match]

    @property
    def reasons(self) -> list[dict[str, Any]]:
        return [m.as_reason() for m in self.matches]


def _score(spec: dict[str, float], sub: Submission, facts: Facts) -> dict[str, Any] | None:
    if facts.scores is None:
        return None
    hit = {c: round(float(facts.scores[c]), 4) for c, m in spec.items() if c in facts.scores and facts.scores[c] >= m}
    return {"scores": hit} if hit else None


def _wordlist(name: str, sub: Submission, facts: Facts) -> dict[str, Any] | None:
    words = facts.wordlist_hits.get(name)
    return {"wordlist": name, "words": words[:10]} if words else None


def _links(wanted: bool, sub: Submission, facts: Facts) -> dict[str, Any] | None:
    found = LINK.findall(sub.text)
    if bool(found) != wanted:
        return None
    return {"links": found[:5]} if found else {"links": []}


def _length(spec: Length, sub: Submission, facts: Facts) -> dict[str, Any] | None:
    n = len(sub.text)
    too_short = spec.min is not None and n < spec.min
    too_long = spec.max is not None and n > spec.max
    return {"length": n} if too_short or too_long else None


def _flood(spec: Flood, sub: Submission, facts: Facts) -> dict[str, Any] | None:
    count = facts.recent.get(spec.window_s, 0)
    return {"submissions": count, "window_s": spec.window_s} if count >= spec.count else None


def _image_match(wanted: bool, sub: Submission, facts: Facts) -> dict[str, Any] | None:
    if (facts.image_match is not None) != wanted:
        return None
    return {"match": dict(facts.image_match)} if facts.image_match else {}


def _text_bank(spec: TextBank, sub: Submission, facts: Facts) -> dict[str, Any] | None:
    match = facts.text_match
    return {"match": dict(match)} if match and match["similarity"] >= spec.min_similarity else None


def _author(spec: AuthorCondition, sub: Submission, facts: Facts) -> dict[str, Any] | None:
    detail: dict[str, Any] = {}
    if spec.strikes is not None:
        if facts.author_strikes < spec.strikes:
            return None
        detail["strikes"] = facts.author_strikes
    if spec.new is not None:
        if (facts.author_submitted < spec.submissions) != spec.new:
            return None
        detail["submissions_before"] = facts.author_submitted
    return detail


CONDITIONS: dict[str, Callable[[Any, Submission, Facts], dict[str, Any] | None]] = {
    "author": _author,
    "text_bank": _text_bank,
    "image_match": _image_match,
    "score": _score,
    "wordlist": _wordlist,
    "links": _links,
    "length": _length,
    "flood": _flood,
}


def matches(rule: Rule, sub: Submission, facts: Facts) -> dict[str, Any] | None:
    """What the rule found (every condition of its ``when`` must hold), or None."""
    detail: dict[str, Any] = {}
    for name in rule.when.model_fields_set:
        spec = getattr(rule.when, name)
        found = CONDITIONS[name](spec, sub, facts)
        if found is None:
            return None
        detail.update(found)
    return detail


SANCTIONS: dict[str, tuple[Match, ...]] = {
    "suspend": (Match("author_suspended", "reject", False, {"sanction": "suspend"}),),
    "ban": (Match("author_banned", "reject", False, {"sanction": "ban"}),),
    "premod": (Match("author_premod", "hold", False, {"sanction": "premod"}),),
}


def evaluate(policy: Policy, sub: Submission, facts: Facts) -> Verdict:
    """The decision on a submission and every rule that matched (shadow ones included). An
    author's sanction acts before any rule: suspended or banned authors' submissions are rejected,
    pre-moderated authors' held."""
    by_rules = [
        Match(rule.id, rule.action, rule.shadow, detail)
        for rule in policy.rules_for(sub.section)
        if (detail := matches(rule, sub, facts)) is not None
    ]
    found = [*SANCTIONS.get(facts.sanction or "", ()), *by_rules]
    acting = [m.action for m in found if not m.shadow]
    decision: str = max(acting, key=STRENGTH.__getitem__, default="publish")
    mode = policy.mode_for(sub.section)
    held_by_mode = (mode == "pre" and decision != "reject") or (
        mode == "pre_links" and sub.item_type == "comment" and LINK.search(sub.text) and STRENGTH[decision] < 2
    )
    if held_by_mode and decision != "hold":
        found.append(Match(f"mode_{mode}", "hold", False, {"mode": mode}))
        decision = "hold"
    return Verdict(decision, found)  # type: ignore[arg-type]


def summary(before: Policy, after: Policy) -> dict[str, Any]:
    """What a change did, for the audit trail: mode, rules added, removed and changed, sections."""
    old = {r.id: r for r in before.rules_for(None)}
    new = {r.id: r for r in after.rules_for(None)}
    changed = sorted(i for i in old.keys() & new.keys() if old[i] != new[i])
    return {
        "mode": [before.mode, after.mode] if before.mode != after.mode else None,
        "rules_added": sorted(new.keys() - old.keys()),
        "rules_removed": sorted(old.keys() - new.keys()),
        "rules_changed": changed,
        "sections": sorted(set(before.sections) ^ set(after.sections))
        + sorted(n for n in before.sections.keys() & after.sections.keys() if before.sections[n] != after.sections[n]),
    }


__all__ = ["CATEGORIES", "DEFAULT_POLICY", "Facts", "Match", "Policy", "Submission", "Verdict", "evaluate"]
