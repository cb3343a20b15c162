"""Statements of reasons (Art. 17 DSA) in the Transparency Database's format, one per restriction,
built from the event that announced it. Pure functions over plain data: the event, what the item
record says, the item's notices, the site's settings.

Which events restrict: ``item.hidden`` (readers' reports, a bank match, a model rule: access
disabled, fully automated), ``item.removed`` (a moderator's removal, or one by rule), ``item.rejected``
and ``item.held`` (the policy at submission), ``author.sanctioned`` with ``suspend`` (with the end
date) or ``ban``. A statement never names a moderator or carries a private note: it is built from
the decision's public fields only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import vocabulary as v
from .detection import acting_rules, automated_hide

RESTRICTING = ("item.hidden", "item.removed", "item.rejected", "item.held", "author.sanctioned")
REDRESS = (
    "The author may appeal this decision through the site (internal complaint handling, Art. 20 DSA), "
    "use an out-of-court dispute settlement body (Art. 21) or go to court."
)


@dataclass(frozen=True)
class Settings:
    """The site's side of every statement."""

    territorial_scope: tuple[str, ...] = v.EU_COUNTRIES
    terms_ground: str = "The site's community rules for comments"


@dataclass(frozen=True)
class ItemFacts:
    """What a statement needs of an item: its type, text, first appearance and why it was reported."""

    item_type: str = "comment"
    text: str | None = None
    first_seen_ms: int | None = None
    top_reason: str | None = None
    notices: tuple[Mapping[str, Any], ...] = ()  # {category, source, flagger_name}


def day(ms: int) -> str:
    """``YYYY-MM-DD`` (UTC), the database's date format."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


def _source(item: ItemFacts, reported: bool) -> tuple[str, str | None]:
    """The information source: a trusted flagger's notice first, then any notice (Art. 16), then
    readers' reports (another kind of notification), else the site's own initiative."""
    flagged = [n for n in item.notices if n.get("source") == v.SOURCE_TRUSTED_FLAGGER]
    if flagged:
        return v.SOURCE_TRUSTED_FLAGGER, str(flagged[0].get("flagger_name") or "")[:500] or None
    if item.notices:
        return v.SOURCE_ARTICLE_16, None
    return (v.SOURCE_OTHER_NOTIFICATION if reported else v.SOURCE_VOLUNTARY), None


def _category(item: ItemFacts, reason: str | None) -> v.Category:
    """A notice's category first (an API v1 one as its v2 equivalent), else the decision's reason,
    else the readers' most given one."""
    noticed = v.database_category(str(item.notices[0].get("category") or "")) if item.notices else None
    return noticed or v.classify(reason or item.top_reason)


def _ground(decision: Mapping[str, Any], settings: Settings, explanation: str) -> dict[str, Any]:
    if decision.get("ground") == "illegal":
        return {
            "decision_ground": v.GROUND_ILLEGAL,
            "illegal_content_legal_ground": str(decision.get("legal_ground") or "")[: v.MAX_GROUND],
            "illegal_content_explanation": (str(decision.get("explanation") or "") or explanation)[: v.MAX_EXPLANATION],
        }
    return {
        "decision_ground": v.GROUND_INCOMPATIBLE,
        "incompatible_content_ground": settings.terms_ground[: v.MAX_GROUND],
        "incompatible_content_explanation": explanation[: v.MAX_EXPLANATION],
    }


def _public_explanation(decision: Mapping[str, Any]) -> str:
    statement = decision.get("statement") if isinstance(decision.get("statement"), Mapping) else {}
    text = (statement or {}).get("explanation") or {}
    return str(text.get("fr") or text.get("ar") or "") if isinstance(text, Mapping) else str(text)


def statement_for(
    event_type: str,
    data: Mapping[str, Any],
    ts_ms: int,
    item: ItemFacts,
    settings: Settings,
    event_id: str,
) -> dict[str, Any] | None:
    """The database's statement body for a restricting event, or None for any other event."""
    if event_type not in RESTRICTING:
        return None
    if event_type == "author.sanctioned":
        return _account_statement(data, ts_ms, settings, event_id)
    decision = data.get("decision") if isinstance(data.get("decision"), Mapping) else {}
    decision = decision or {}
    rule = data.get("rule")
    reported = int(data.get("reports") or 0) > 0
    what = "image" if item.item_type == "image" else "comment"
    by_moderator = str(data.get("actor", "")).startswith("moderator")
    body: dict[str, Any] = {}
    if event_type == "item.hidden":
        source, identity = _source(item, reported) if not automated_hide(rule) else (v.SOURCE_VOLUNTARY, None)
        detected = v.YES if automated_hide(rule) else v.NO
        visibility, automated = v.VISIBILITY_DISABLED, v.FULLY
        facts = _hidden_facts(what, data, rule)
        explanation = facts
    elif event_type == "item.removed":
        source, identity = _source(item, reported)
        statement = decision.get("statement") if isinstance(decision.get("statement"), Mapping) else {}
        detected = v.YES if (statement or {}).get("automated_detection") else v.NO
        visibility, automated = v.VISIBILITY_REMOVED, (v.NOT_AUTOMATED if by_moderator else v.FULLY)
        explanation = _public_explanation(decision) or f"The {what} breaks the site's rules."
        who = "A moderator" if by_moderator else "An automated rule"
        facts = f"{who} reviewed the {what} and removed it. {explanation}"
    else:  # item.rejected, item.held: the policy at submission (its mode or a sanction detects nothing)
        acted = acting_rules(data.get("reasons") or data.get("rules") or [])
        source, identity, automated = v.SOURCE_VOLUNTARY, None, v.FULLY
        detected = v.YES if acted else v.NO
        rules = ", ".join(acted)
        held = event_type == "item.held"
        visibility = v.VISIBILITY_DISABLED if held else v.VISIBILITY_REMOVED
        verb = "held for review before publication" if held else "rejected at submission, not published"
        facts = f"The {what} was {verb} by the site's automated moderation policy" + (
            f" (rules: {rules})." if rules else "."
        )
        explanation = facts
    body.update(
        decision_visibility=[visibility],
        **_ground(decision, settings, explanation),
        content_type=[v.CONTENT_IMAGE if item.item_type == "image" else v.CONTENT_TEXT],
        **_category(item, str(decision.get("reason_code") or "") or None).fields(),
        territorial_scope=list(settings.territorial_scope),
        content_date=day(item.first_seen_ms or ts_ms),
        application_date=day(ts_ms),
        decision_facts=facts[: v.MAX_FACTS],
        source_type=source,
        automated_detection=detected,
        automated_decision=automated,
        puid=v.puid(str(data.get("item_id", "")), str(data.get("seq", event_id))),
    )
    if identity:
        body["source_identity"] = identity
    language = v.content_language(item.text)
    if language:
        body["content_language"] = language
    return body


def _hidden_facts(what: str, data: Mapping[str, Any], rule: Any) -> str:
    if automated_hide(rule) and str(rule).endswith("_match"):
        return f"The {what} was hidden automatically as a near-copy of content the site's moderators removed."
    if automated_hide(rule):
        return f"The {what} was hidden automatically: the site's classifier scored it as very likely abusive."
    return (
        f"The {what} was hidden automatically after {data.get('reports', 0)} distinct readers reported it "
        f"(the site's threshold: {data.get('threshold', '?')}), pending a moderator's review."
    )


def _account_statement(data: Mapping[str, Any], ts_ms: int, settings: Settings, event_id: str) -> dict[str, Any] | None:
    action = data.get("action")
    if action not in ("suspend", "ban"):
        return None
    by_moderator = str(data.get("actor", "")).startswith("moderator")
    until = data.get("until")
    body: dict[str, Any] = {
        "decision_account": v.ACCOUNT_SUSPENDED if action == "suspend" else v.ACCOUNT_TERMINATED,
        "decision_ground": v.GROUND_INCOMPATIBLE,
        "incompatible_content_ground": settings.terms_ground[: v.MAX_GROUND],
        "incompatible_content_explanation": (
            f"The author's account was {'suspended' if action == 'suspend' else 'closed'} for repeated "
            f"violations of the site's rules ({data.get('reason_code') or 'other_violation'})."
        ),
        "content_type": [v.CONTENT_TEXT],
        **v.classify(str(data.get("reason_code") or "")).fields(),
        "territorial_scope": list(settings.territorial_scope),
        "content_date": day(ts_ms),
        "application_date": day(ts_ms),
        "decision_facts": (
            f"{'A moderator' if by_moderator else 'The site'} "
            f"{'suspended' if action == 'suspend' else 'banned'} the author from commenting"
            + (f" until {day(int(until))}." if until and action == "suspend" else ".")
        ),
        "source_type": v.SOURCE_VOLUNTARY,
        "automated_detection": v.NO,
        "automated_decision": v.NOT_AUTOMATED if by_moderator else v.FULLY,
        "puid": v.puid("author", str(data.get("author_id", "")), event_id),
    }
    if until and action == "suspend":
        body["end_date_account_restriction"] = day(int(until))
    return body


def territorial_scope(setting: str) -> tuple[str, ...]:
    """``RAQIB_DSA_TERRITORIAL_SCOPE``: ``EU`` (every member state), ``EEA`` (with IS, LI, NO) or
    comma-separated country codes; raises ValueError naming an unknown code."""
    cleaned = setting.strip().upper()
    if cleaned in ("", "EU"):
        return v.EU_COUNTRIES
    if cleaned == "EEA":
        return v.COUNTRIES
    codes = tuple(c.strip() for c in cleaned.split(",") if c.strip())
    unknown = [c for c in codes if c not in v.COUNTRIES]
    if unknown:
        raise ValueError(f"unknown country codes {unknown} (EU or EEA member states, e.g. FR,BE,NL,ES)")
    return codes


def restriction_kind(statement: Mapping[str, Any]) -> str:
    """``removal``, ``disabling`` or ``account`` — the report's 'by restriction type'."""
    if statement.get("decision_account"):
        return "account"
    visibility: Sequence[str] = statement.get("decision_visibility") or []
    return "removal" if v.VISIBILITY_REMOVED in visibility else "disabling"
