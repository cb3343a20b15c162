"""The site's policy (``GET/PUT /v1/policy``) and its word lists (``/v1/wordlists/<name>``), role admin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..api import documented, json_body, path
from ..auth import current_actor, require
from ..documents import DocumentUnreadable, round_trip
from ..errors import Conflict, NotFound, ValidationFailed
from ..moderation.active import DEFAULT, active_policy, stored_policy, stored_wordlist
from ..moderation.policy import Policy, summary
from ..moderation.schemas import PolicyView, WordlistBody, WordlistNames, WordlistPath, WordlistView
from ..moderation.wordlists import check_words
from ..store import get_store
from ..timefmt import iso

bp = Blueprint("policy", __name__)
ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)


def _view(version: int, policy: Policy, updated_at: int | None, updated_by: str | None) -> dict[str, Any]:
    """The policy as it was written (conditions not given are left out)."""
    return {
        "version": version,
        "policy": policy.model_dump(mode="json", exclude_none=True),
        "updated_at": iso(updated_at),
        "updated_by": updated_by,
    }


def _missing_wordlists(policy: Policy) -> None:
    """A rule naming a word list that does not exist would never match: 422, naming the rule."""
    store = get_store().moderation
    sections = [(f"sections.{n}.rules", section.rules) for n, section in policy.sections.items()]
    for where, rules in [("rules", policy.rules), *sections]:
        for i, rule in enumerate(rules):
            name = rule.when.wordlist
            if name and store.wordlist_version(name) is None:
                field = f"{where}.{i}.when.wordlist"
                problem = f"no word list named {name!r}: create it first (PUT /v1/wordlists/{name})"
                raise ValidationFailed(f"{field}: {problem}", details=[{"field": field, "problem": problem}])


@bp.get("/v1/policy")
@require("admin")
@documented(("HTTP_200", PolicyView), ERRORS, tags=["policy"])
def get_policy() -> dict[str, Any]:
    """The policy in force (version 0: the default that ships). While the stored one does not
    validate: the last good one this process read, or 503 ``policy_unreadable``."""
    version, policy, stored = active_policy(get_store().moderation)
    return _view(version, policy, stored.updated_at if stored else None, stored.updated_by if stored else None)


@bp.put("/v1/policy")
@require("admin")
@documented(("HTTP_200", PolicyView), ERRORS, tags=["policy"], json=Policy)
def put_policy() -> dict[str, Any]:
    """Replace the policy. Validated in full (any error: 422 naming the field, nothing stored);
    the version increments and the change is in the audit trail as ``policy.updated``."""
    policy = json_body(Policy)
    _missing_wordlists(policy)
    store = get_store().moderation
    try:
        _, before, _ = stored_policy(store)
    except DocumentUnreadable:  # replacing a stored policy that no longer validates: the fix
        before = DEFAULT
    document = round_trip(Policy, policy.model_dump(mode="json", exclude_none=True), policy)
    actor = current_actor()
    version = store.put_policy(document, actor, summary(before, policy))
    stored = store.policy()
    return _view(version, policy, stored.updated_at if stored else None, actor)


@bp.get("/v1/wordlists")
@require("admin")
@documented(("HTTP_200", WordlistNames), ERRORS, tags=["policy"])
def wordlists() -> dict[str, Any]:
    """The names of the stored word lists."""
    return {"wordlists": get_store().moderation.wordlist_names()}


@bp.put("/v1/wordlists/<name>")
@require("admin")
@documented(("HTTP_200", WordlistView), ERRORS, tags=["policy"], json=WordlistBody, path=WordlistPath)
def put_wordlist(name: str) -> dict[str, Any]:
    """Create or replace a word list (at most 50,000 words or phrases)."""
    path(WordlistPath, name=name)
    body = json_body(WordlistBody)
    problems = check_words(body.words)
    if problems:
        field, _, problem = problems[0].partition(": ")
        details = [{"field": p.partition(": ")[0], "problem": p.partition(": ")[2]} for p in problems]
        raise ValidationFailed(f"{field}: {problem}", details=details)
    words = list(dict.fromkeys(w.strip() for w in body.words))
    round_trip(WordlistBody, {"words": words}, WordlistBody(words=words))
    version = get_store().moderation.put_wordlist(name, words)
    return {"name": name, "words": words, "count": len(words), "version": version}


@bp.get("/v1/wordlists/<name>")
@require("admin")
@documented(("HTTP_200", WordlistView), ERRORS, tags=["policy"], path=WordlistPath)
def get_wordlist(name: str) -> dict[str, Any]:
    path(WordlistPath, name=name)
    found = stored_wordlist(get_store().moderation, name)
    if found is None:
        raise NotFound(f"no word list named {name!r}")
    words, version = found
    return {"name": name, "words": words, "count": len(words), "version": version}


@bp.delete("/v1/wordlists/<name>")
@require("admin")
@documented(("HTTP_204", None), ERRORS, tags=["policy"], path=WordlistPath)
def delete_wordlist(name: str) -> tuple[str, int]:
    """Delete a word list; 409 while a rule of the stored policy names it (it would never match)."""
    path(WordlistPath, name=name)
    try:
        _, policy, _ = stored_policy(get_store().moderation)
    except DocumentUnreadable:
        policy = DEFAULT  # an unreadable policy must not keep its lists from being managed
    if name in policy.wordlists():
        raise Conflict(f"a rule of the policy names word list {name!r}: change the policy first")
    if not get_store().moderation.delete_wordlist(name):
        raise NotFound(f"no word list named {name!r}")
    return "", 204
