"""``POST /v1/submissions``: every new or edited comment (or image), checked when it is posted —
published, held for a moderator, or rejected — under the site's policy.

The view gathers the facts (the model's scores, word-list hits, the author's recent submissions,
a match in the bank of removed images), the pure policy engine decides, and one script applies the
decision. An image's OCR and model scores come later from the worker, which may then hold it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, current_app, request
from pydantic import ValidationError

from ..api import documented, form_body, json_body
from ..auth import require
from ..classifier import get_classifier, model_version, predict, shadow_version
from ..config import Config
from ..errors import Conflict, ValidationFailed
from ..i18n import submitted
from ..images import media
from ..images.analysis import get_analyser
from ..images.uploads import image_error, image_upload
from ..logs import request_id
from ..moderation.active import active_policy, matcher
from ..moderation.policy import Facts, Policy, Submission, evaluate
from ..moderation.schemas import SubmissionContext, SubmissionForm, SubmissionRequest, SubmissionView
from ..policy import threshold_for
from ..store import TypeMismatch, get_store

bp = Blueprint("submissions", __name__)


def _read() -> tuple[SubmissionRequest, bytes | None, dict[str, Any] | None]:
    """The submission, and the uploaded image's bytes and details when it came as a file."""
    if request.mimetype != "multipart/form-data":
        return json_body(SubmissionRequest), None, None
    form = form_body(SubmissionForm)
    try:
        context = SubmissionContext.model_validate_json(form.context) if form.context else None
    except ValidationError as err:
        raise ValidationFailed(f"context: {err.errors()[0]['msg']}") from None
    fields = form.model_dump(exclude={"context", "image"})
    sub = SubmissionRequest(**fields, context=context)
    if form.image is None:
        return sub, None, None
    if sub.item_type != "image":
        raise ValidationFailed("image: an image file is for item_type 'image'")
    data, details = image_upload(form.image, current_app.config["RAQIB"])
    return sub, data, details


def _facts(sub: SubmissionRequest, policy: Policy, section: str | None, image: bytes | None) -> Facts:
    store = get_store()
    scores = None
    classifier = get_classifier()
    if sub.text and sub.item_type == "comment" and classifier is not None:
        scores = predict(classifier, [sub.text])[0]["scores"]
    rules = policy.rules_for(section)
    hits = {}
    for name in {r.when.wordlist for r in rules if r.when.wordlist}:
        found = matcher(store.moderation, name)
        hits[name] = found.find(sub.text or "") if found else []
    windows = {r.when.flood.window_s for r in rules if r.when.flood}
    recent = (
        store.moderation.count_submission(sub.author_id, f"{sub.item_id}:{uuid.uuid4().hex[:8]}", windows)
        if windows
        else {}
    )
    similarity = policy.text_bank_similarity(section)
    text_match = None
    if similarity is not None and sub.text and sub.item_type == "comment":
        found_text = store.texts.match(sub.text, similarity, exclude=sub.item_id)
        text_match = found_text.as_dict() if found_text else None
    match = None
    if image is not None:
        analyser = get_analyser()
        try:
            analysis = analyser.analyse(image, ocr=False)
        except media.ImageRejected as err:
            raise image_error(err) from None
        match = analyser.match(analysis.pdq, store.images.bank_hashes())
        if analysis.image_scores:  # the image model's categories (sexual) beside the caption's
            scores = dict(scores or {})
            for category, value in analysis.image_scores.items():
                scores[category] = max(value, scores.get(category, 0.0))
    author = store.authors.get(sub.author_id, recent=0)
    return Facts(
        scores=scores,
        wordlist_hits=hits,
        recent=recent,
        image_match=match,
        text_match=text_match,
        author_strikes=author.active_strikes(author.read_at) if author else 0,
        author_submitted=author.counts["submitted"] if author else 0,
        sanction=author.sanction["action"] if author and author.sanction else None,
    )


@bp.post("/v1/submissions")
@require("client")
@documented(
    ("HTTP_200", SubmissionView),
    (400, 401, 403, 409, 413, 415, 422, 503),
    tags=["submissions"],
    json=SubmissionRequest,
    form=SubmissionForm,
)
def submit() -> dict[str, Any]:
    """Check a new or edited comment (or image) under the policy: ``publish``, ``hold`` (a
    moderator approves or removes it; readers never see it before) or ``reject``. The same
    ``item_id`` again is an edit: evaluated again, and the history keeps both."""
    config: Config = current_app.config["RAQIB"]
    sub, image, image_details = _read()
    if sub.item_type == "image" and image is None and sub.image_url is None:
        raise ValidationFailed("an image submission needs an image file part or an image_url")
    section = sub.context.section if sub.context else None
    store = get_store()
    version, policy, _ = active_policy(store.moderation)
    facts = _facts(sub, policy, section, image)
    verdict = evaluate(policy, Submission(sub.item_type, sub.text or "", section), facts)
    fields: dict[str, str] = {"author_id": sub.author_id, "policy_version": str(version)}
    if sub.text:
        fields["text"] = sub.text
    if facts.scores is not None:
        fields["scores"] = json.dumps(facts.scores)
        fields["model_version"] = model_version()
        fields["offensive"] = str(facts.scores.get("offensive", 0.0))
    if sub.context:
        fields["context"] = json.dumps(sub.context.model_dump(exclude_none=True), ensure_ascii=False)
    if section:
        fields["section"] = section
    if image_details is not None:
        fields["image"] = json.dumps(image_details)
    elif sub.image_url:
        fields["image"] = json.dumps({"url": sub.image_url})
    threshold = threshold_for(config, sub.item_type, facts.scores)
    settings = {
        "decision": verdict.decision,
        "reasons": verdict.reasons,
        "rules": [{"rule": m.rule, "shadow": m.shadow} for m in verdict.matches],
        "threshold": threshold.reports,
        "rule": threshold.rule,
        "request_id": request_id(),
    }
    try:
        outcome = store.moderation.submit(sub.item_id, sub.item_type, fields, settings)
    except TypeMismatch as err:
        raise Conflict(f"item {sub.item_id!r} is a {err.existing}; this submission says {sub.item_type}") from None
    if sub.text and sub.item_type == "comment" and shadow_version():
        store.scoring.enqueue(sub.item_id)  # a candidate in shadow scores it too, in the worker
    if outcome.author_owed:  # the worker retries it if this process dies first
        store.authors.settle(sub.item_id, config.strike_ms, outcome.author_owed)
    queued = (image is not None and store.images.save_upload(sub.item_id, image)) or (
        sub.image_url is not None
        and media.host_allowed(sub.image_url, config.fetch_hosts)
        and store.images.save_url(sub.item_id, sub.image_url)
    )
    if queued:
        store.images.enqueue(sub.item_id)  # its OCR and model scores may hold it later
    return SubmissionView(
        item_id=sub.item_id,
        decision=verdict.decision,
        status=outcome.status,  # type: ignore[arg-type]
        reasons=verdict.reasons,
        scores=dict(facts.scores) if facts.scores is not None else None,
        message=submitted(verdict.decision),
        policy_version=version,
        edit=outcome.edit,
    ).model_dump()
