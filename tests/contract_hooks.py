"""Schemathesis hooks for ``tests/test_contract.py`` (loaded by the CLI through ``SCHEMATHESIS_HOOKS``).

A schema says what a request looks like, not what exists on the server: a policy rule's word list,
a notice's trusted flagger and a webhook's host must name something real, an uploaded image must
decode. Before a positive request is sent, a name the schema allows is swapped for one that exists
(created by the test before the run); file parts are drawn as real images of their declared type; and
the multipart forms whose parts depend on one another (which their schema cannot state: schemathesis
4.32.5 cannot check a file part against conditionals) are drawn as their description asks.
"""

from __future__ import annotations

import io
import re
from typing import Any

import schemathesis
from raqib.service.webhook_schemas import WEBHOOK_URL
from schemathesis.transport.serialization import Binary

WORDLIST = "contract"  # created by the test
FLAGGER = "tf-contract"  # created by the test
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
ID = re.compile(r"^[A-Za-z0-9:_.@-]{1,128}$")
URL = re.compile(WEBHOOK_URL)


def _image(kind: str) -> bytes:
    """A small image of that kind, as the image routes decode it."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 40, 200)).save(out, kind)
    return out.getvalue()


JPEG = _image("JPEG")


def _rules(policy: dict[str, Any]) -> list[Any]:
    sections = policy.get("sections")
    extra = [s.get("rules") for s in sections.values() if isinstance(s, dict)] if isinstance(sections, dict) else []
    return [r for rules in [policy.get("rules"), *extra] if isinstance(rules, list) for r in rules]


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    path, body = case.operation.path, case.body
    params = case.path_parameters or {}
    if case.method == "DELETE" and {FLAGGER, WORDLIST} & set(params.values()):
        # The stateful phase may follow a link to the test's own flagger or word list: keep them.
        case.path_parameters = {k: f"{v}-not" if v in (FLAGGER, WORDLIST) else v for k, v in params.items()}
    meta = case.meta
    negative = meta is not None and (
        meta.generation.mode.is_negative or any(c.mode.is_negative for c in meta.components.values())
    )
    if not isinstance(body, dict) or negative:  # a negative case stays as generated
        return
    if path == "/v1/policy":
        for rule in _rules(body):
            when = rule.get("when") if isinstance(rule, dict) else None
            if isinstance(when, dict) and isinstance(when.get("wordlist"), str) and NAME.match(when["wordlist"]):
                when["wordlist"] = WORDLIST
    elif path == "/v1/notices":
        flagger = body.get("trusted_flagger_id")
        if isinstance(flagger, str) and ID.match(flagger):
            body["trusted_flagger_id"] = FLAGGER
    elif path in ("/v1/reports", "/v1/submissions") and case.media_type == "multipart/form-data":
        _shape_form(path, body)
    if isinstance(body.get("image"), Binary):  # a file part: an image that decodes
        body["image"] = Binary(JPEG)
    elif path.startswith("/v1/webhooks") and isinstance(body.get("url"), str) and URL.match(body["url"]):
        body["url"] = "http://127.0.0.1:9/contract"  # a host that resolves here (no network in tests)


def _shape_form(path: str, body: dict[str, Any]) -> None:
    """A form of a report or a submission as its description asks: image parts (a file or a URL, not
    both) for images only; a comment's text, an image submission's file or URL."""
    if body.get("item_type") == "comment":
        body.pop("image", None)
        body.pop("image_url", None)
        text = body.get("text")
        if path == "/v1/submissions" and not (isinstance(text, str) and text.strip()):
            body["text"] = "مقال رائع"
    elif body.get("item_type") == "image":
        if body.get("image") is not None:
            body.pop("image_url", None)
        elif path == "/v1/submissions" and body.get("image_url") is None:
            body["image_url"] = "https://example.org/contract.jpg"
