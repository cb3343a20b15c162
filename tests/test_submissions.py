"""Moderation at submission over real HTTP and a real Redis (single server and cluster): the
decision, held items and their review, edits, the policy and word lists, shadow figures."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from raqib.service.store import Store

from .conftest import Api, report, skip_requested
from .imagegen import encode, scene

ApiFactory = Callable[[dict[str, Any]], Api]
SALMA = {"X-Raqib-Actor": "salma"}


def submit(api: Api, item_id: str, text: str = "مقال رائع، شكرا", **fields: Any) -> Any:
    body = {"item_id": item_id, "item_type": "comment", "author_id": "author-1", "text": text, **fields}
    return api.post("/v1/submissions", json=body)


def put_policy(api: Api, document: dict[str, Any]) -> Any:
    return api.request("PUT", "/v1/policy", role="admin", json=document)


def decide(api: Api, item_id: str, action: str, code: str) -> Any:
    body = {"action": action, "reason_code": code}
    return api.post(f"/v1/review/items/{item_id}/decision", role="moderator", json=body, headers=SALMA)


@pytest.fixture
def modelled(settings: dict[str, Any], api_factory: ApiFactory) -> Api:
    """The app with the bundled classifier."""
    settings["model_dir"] = ""
    return api_factory(settings)


def test_a_clean_comment_is_published_and_a_toxic_one_held_by_the_default_policy(modelled: Api) -> None:
    clean = submit(modelled, "s-1", "شكرا على هذا المقال المفيد", context={"section": "news"})
    assert clean.status_code == 200, clean.text
    body = clean.json()
    assert (body["decision"], body["status"], body["reasons"], body["edit"]) == ("publish", "visible", [], False)
    assert set(body["scores"]) == {"offensive", "hate", "vulgar", "violence", "spam"}
    assert body["message"] == "شكرا! تم نشر تعليقك." and body["policy_version"] == 0
    put_policy(modelled, {"rules": [{"id": "toxic", "when": {"score": {"offensive": 0.5}}, "action": "hold"}]})
    held = submit(modelled, "s-2", "يا حمار يا كلب", context={"section": "news"}).json()
    assert (held["decision"], held["status"]) == ("hold", "held")
    assert held["reasons"][0]["rule"] == "toxic" and held["reasons"][0]["detail"]["scores"]["offensive"] >= 0.5
    french = modelled.post(
        "/v1/submissions",
        json={"item_id": "s-3", "item_type": "comment", "author_id": "a", "text": "يا حمار"},
        headers={"Accept-Language": "fr"},
    ).json()
    assert french["message"].startswith("Merci ! Votre commentaire sera publié après")


def test_held_items_wait_in_the_queue_and_are_approved_or_removed(api: Api) -> None:
    assert put_policy(api, {"mode": "pre"}).status_code == 200
    for item_id in ("h-1", "h-2"):
        assert submit(api, item_id).json()["status"] == "held"
    report(api, "r-1", "reader", text="x")  # a reported item: not held
    queue = api.get("/v1/review/queue?status=held", role="moderator").json()["items"]
    assert sorted(i["item_id"] for i in queue) == ["h-1", "h-2"]
    assert api.get("/v1/items/h-1").json()["status"] == "held"  # the host never shows it
    stats = api.get("/v1/review/stats", role="moderator").json()
    assert stats["queue"] == {"pending": 1, "hidden": 0, "held": 2, "total": 3}

    assert decide(api, "h-1", "dismiss", "no_violation").status_code == 409  # not a held item's action
    approved = decide(api, "h-1", "approve", "no_violation")
    assert approved.status_code == 200 and approved.json()["status"] == "visible"
    removed = decide(api, "h-2", "remove", "harassment")
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert decide(api, "r-1", "approve", "no_violation").status_code == 409  # only held items are approved
    assert api.get("/v1/review/queue?status=held", role="moderator").json()["items"] == []
    history = api.get("/v1/items/h-1").json()["history"]
    assert [e["type"] for e in history] == ["item.held", "item.approved"]
    assert history[0]["decision"] == "hold" and history[0]["reasons"][0]["rule"] == "mode_pre"


def test_rejected_items_are_kept_and_reports_of_held_or_rejected_items_change_nothing(api: Api) -> None:
    put_policy(
        api,
        {
            "rules": [{"id": "no-links", "when": {"links": True}, "action": "reject"}],
            "sections": {"politics": {"mode": "pre"}},
        },
    )
    rejected = submit(api, "x-1", "اربح المال www.win.biz").json()
    assert (rejected["decision"], rejected["status"]) == ("reject", "rejected")
    assert rejected["message"].startswith("عذرا")
    held = submit(api, "x-2", "رأيي في الموضوع", context={"section": "politics"}).json()
    assert held["status"] == "held"
    for reader in ("a", "b", "c", "d"):
        assert report(api, "x-1", reader).json()["status"] == "rejected"
        assert report(api, "x-2", reader).json()["status"] == "held"
    assert api.get("/v1/items/x-1").json()["status"] == "rejected"
    queued = {i["item_id"] for i in api.get("/v1/review/queue", role="moderator").json()["items"]}
    assert queued == {"x-2"}  # the rejected item is not queued; the held one once


def test_an_edit_is_evaluated_again_and_the_history_keeps_both(api: Api) -> None:
    api.request("PUT", "/v1/wordlists/slurs", role="admin", json={"words": ["غبي"]})
    put_policy(api, {"rules": [{"id": "slurs", "when": {"wordlist": "slurs"}, "action": "hold"}]})
    first = submit(api, "e-1", "انت غبي").json()
    assert (first["status"], first["edit"]) == ("held", False)
    second = submit(api, "e-1", "انت ذكي").json()
    assert (second["decision"], second["status"], second["edit"]) == ("publish", "visible", True)
    history = api.get("/v1/review/items/e-1/history", role="moderator").json()["history"]
    assert [(e["type"], e["from"], e["to"]) for e in history] == [
        ("item.held", "new", "held"),
        ("item.published", "held", "visible"),
    ]
    assert api.get("/v1/review/items/e-1", role="moderator").json()["text"] == "انت ذكي"
    assert api.get("/v1/review/queue?status=held", role="moderator").json()["items"] == []
    assert decide(api, "e-1", "remove", "harassment").ok
    again = submit(api, "e-1", "انت غبي مرة اخرى").json()
    assert again["status"] == "removed"  # a moderator's removal stands; the edit is recorded


def test_policy_versions_audit_and_validation(api: Api) -> None:
    shipped = api.get("/v1/policy", role="admin").json()
    assert shipped["version"] == 0 and shipped["policy"]["rules"][0]["id"] == "model_offensive_high"
    assert api.get("/v1/policy", role="client").status_code == 403
    bad = put_policy(api, {"rules": [{"id": "a", "when": {"score": {"toxicity": 0.5}}, "action": "hold"}]})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"].startswith("rules.0.when.score.toxicity")
    assert put_policy(api, {"mode": "later"}).json()["details"][0]["field"] == "mode"
    assert api.get("/v1/policy", role="admin").json()["version"] == 0  # nothing stored
    one = put_policy(api, {"mode": "pre"}).json()
    two = put_policy(api, {"mode": "post", "rules": []}).json()
    assert (one["version"], two["version"]) == (1, 2)
    assert two["updated_by"].startswith("admin:")
    audit = [e for e in api.get("/v1/audit", role="moderator").json()["entries"] if e["type"] == "policy.updated"]
    assert [e["version"] for e in audit] == [1, 2]
    assert audit[1]["summary"]["mode"] == ["pre", "post"]
    assert api.get("/v1/policy", role="admin").json()["policy"]["mode"] == "post"


def test_word_lists(api: Api) -> None:
    created = api.request("PUT", "/v1/wordlists/slurs", role="admin", json={"words": ["غبي", "ابن الكلب", "غبي"]})
    assert created.status_code == 200 and created.json()["count"] == 2
    assert api.get("/v1/wordlists/slurs", role="admin").json()["words"] == ["غبي", "ابن الكلب"]
    assert api.get("/v1/wordlists", role="admin").json() == {"wordlists": ["slurs"]}
    too_many = api.request("PUT", "/v1/wordlists/big", role="admin", json={"words": ["كلمة"] * 50_001})
    assert too_many.status_code == 422 and too_many.json()["details"][0]["field"] == "words"
    empty = api.request("PUT", "/v1/wordlists/big", role="admin", json={"words": ["ok", "!!!"]})
    assert empty.status_code == 422 and empty.json()["details"][0]["field"] == "words.1"
    assert api.request("PUT", "/v1/wordlists/bad name", role="admin", json={"words": ["x"]}).status_code == 422
    assert put_policy(api, {"rules": [{"id": "slurs", "when": {"wordlist": "slurs"}, "action": "reject"}]}).ok
    in_use = api.request("DELETE", "/v1/wordlists/slurs", role="admin")
    assert in_use.status_code == 409  # a rule names it: it would never match again
    assert put_policy(api, {"mode": "post"}).ok
    assert api.request("DELETE", "/v1/wordlists/slurs", role="admin").status_code == 204
    assert api.get("/v1/wordlists/slurs", role="admin").status_code == 404
    unknown = put_policy(
        api, {"sections": {"s": {"rules": [{"id": "x", "when": {"wordlist": "slurs"}, "action": "flag"}]}}}
    )
    assert unknown.status_code == 422  # a rule naming a list that does not exist would never match
    assert unknown.json()["details"][0]["field"] == "sections.s.rules.0.when.wordlist"


def test_shadow_rules_are_counted_and_get_a_precision_once_decided(api: Api) -> None:
    put_policy(
        api,
        {
            "rules": [
                {"id": "links", "when": {"links": True}, "action": "hold", "shadow": True},
                {"id": "short", "when": {"length": {"min": 5}}, "action": "hold"},
            ]
        },
    )
    for n in range(3):
        assert submit(api, f"sh-{n}", f"رابط www.site{n}.com").json()["decision"] == "publish"
    assert submit(api, "sh-short", "اه").json()["status"] == "held"
    for n in range(3):
        report(api, f"sh-{n}", "reader-a")
    decide(api, "sh-0", "remove", "spam")
    decide(api, "sh-1", "remove", "spam")
    decide(api, "sh-2", "dismiss", "no_violation")
    decide(api, "sh-short", "approve", "no_violation")
    rules = api.get("/v1/review/stats", role="moderator").json()["rules"]
    assert rules["links"]["shadow"] == 3 and rules["links"]["acted"] == 0
    assert rules["links"]["shadow_precision"] == 0.667
    assert rules["short"]["acted"] == 1 and rules["short"]["precision"] == 0.0


def test_flood(api: Api) -> None:
    put_policy(api, {"rules": [{"id": "flood", "when": {"flood": {"count": 3, "window_s": 60}}, "action": "hold"}]})
    decisions = [submit(api, f"f-{n}", f"تعليق رقم {n}").json()["decision"] for n in range(4)]
    assert decisions == ["publish", "publish", "hold", "hold"]
    other = api.post(
        "/v1/submissions", json={"item_id": "f-x", "item_type": "comment", "author_id": "author-2", "text": "مرحبا"}
    )
    assert other.json()["decision"] == "publish"


def test_an_image_that_moderators_removed_is_rejected_at_submission(
    api: Api, store: Store, settings: dict[str, Any]
) -> None:
    from .test_images import remove, report_image, run_worker

    original = scene(5)
    assert report_image(api, "img-src", "r1", encode(original)).status_code == 202
    run_worker(store, settings)
    remove(api, "img-src")
    fields = {"item_id": "img-new", "item_type": "image", "author_id": "author-9"}
    again = api.post(
        "/v1/submissions", data=fields, files={"image": ("p.png", io.BytesIO(encode(original)), "image/png")}
    )
    assert again.status_code == 200, again.text
    body = again.json()
    assert (body["decision"], body["status"]) == ("reject", "rejected")
    assert (
        body["reasons"][0]["rule"] == "removed_image_again"
        and body["reasons"][0]["detail"]["match"]["entry"] == "img-src"
    )
    fresh = api.post(
        "/v1/submissions",
        data={**fields, "item_id": "img-other"},
        files={"image": ("p.png", io.BytesIO(encode(scene(6))), "image/png")},
    )
    assert fresh.json()["decision"] == "publish"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"item_id": "b-1", "item_type": "comment", "author_id": "a"}, 422, "(body)"),
        ({"item_id": "b-1", "item_type": "comment", "author_id": "a b", "text": "x"}, 422, "author_id"),
        ({"item_id": "b-1", "item_type": "video", "author_id": "a", "text": "x"}, 422, "item_type"),
        ({"item_id": "b-1", "item_type": "comment", "author_id": "a", "text": "x" * 5001}, 422, "text"),
        (
            {"item_id": "b-1", "item_type": "comment", "author_id": "a", "text": "x", "context": {"section": "a b"}},
            422,
            "context.section",
        ),
        ({"item_id": "b-1", "item_type": "image", "author_id": "a"}, 422, None),
    ],
)
def test_bad_submissions_are_clear_4xx_and_store_nothing(
    api: Api, body: dict[str, Any], status: int, field: str | None
) -> None:
    response = api.post("/v1/submissions", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"] == "validation_failed"
    if field:
        assert response.json()["details"][0]["field"] == field
    assert api.get("/v1/items/b-1").status_code == 404


def test_a_submission_of_another_type_is_409(api: Api) -> None:
    report(api, "t-1", "reader", item_type="image")
    response = submit(api, "t-1")
    assert response.status_code == 409 and response.json()["error"] == "conflict"


def test_a_submitted_image_is_held_when_its_scores_land(api: Api, store: Store, settings: dict[str, Any]) -> None:
    from .test_images import image_worker

    put_policy(api, {"rules": [{"id": "toxic", "when": {"score": {"offensive": 0.8}}, "action": "hold"}]})
    fields = {"item_id": "img-late", "item_type": "image", "author_id": "author-9"}
    first = api.post(
        "/v1/submissions", data=fields, files={"image": ("p.png", io.BytesIO(encode(scene(7))), "image/png")}
    )
    assert first.json()["status"] == "visible"  # nothing known against it yet
    worker = image_worker(store, settings)
    assert worker.apply_policy("img-late", {"offensive": 0.5}, "نص") is None  # below: stays published
    assert worker.apply_policy("img-late", {"offensive": 0.93}, "نص") == "hold"
    item = api.get("/v1/items/img-late").json()
    assert item["status"] == "held"
    held = item["history"][-1]
    assert (held["type"], held["source"], held["reasons"][0]["rule"]) == ("item.held", "image_analysis", "toxic")
    assert [i["item_id"] for i in api.get("/v1/review/queue?status=held", role="moderator").json()["items"]] == [
        "img-late"
    ]


@pytest.mark.skipif(skip_requested("ocr"), reason="RAQIB_TEST_SKIP names ocr")
def test_the_worker_holds_a_submitted_meme_once_its_text_is_read(
    settings: dict[str, Any], api_factory: ApiFactory, store: Store
) -> None:
    from .imagegen import arabic_meme
    from .test_images import drain, image_worker

    settings["model_dir"] = ""
    api = api_factory(settings)
    put_policy(api, {"rules": [{"id": "toxic", "when": {"score": {"offensive": 0.5}}, "action": "hold"}]})
    fields = {"item_id": "meme-late", "item_type": "image", "author_id": "author-9"}
    assert api.post(
        "/v1/submissions", data=fields, files={"image": ("m.png", io.BytesIO(arabic_meme()), "image/png")}
    ).ok
    drain(image_worker(store, settings))
    assert api.get("/v1/items/meme-late").json()["status"] == "held"
