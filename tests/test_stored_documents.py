"""Stored documents over real HTTP and a real Redis: what is stored is checked as it will be read
back (issue 44: a rule of null conditions was accepted, stored as ``"when": {}``, and every later
read answered 500), and a stored document that no longer validates never answers 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from raqib.service.store import Store, keys
from raqib.service.store.keys import WebhookKeys

from .conftest import Api

ApiFactory = Callable[[dict[str, Any]], Api]
ALL_NULL = {
    "author": None,
    "flood": None,
    "image_match": None,
    "length": None,
    "links": None,
    "score": None,
    "text_bank": None,
    "wordlist": None,
}
COMMENT = {"item_id": "c-1", "item_type": "comment", "author_id": "a-1", "text": "مقال رائع"}


def put_policy(api: Api, document: dict[str, Any]) -> Any:
    return api.request("PUT", "/v1/policy", role="admin", json=document)


def write_policy(store: Store, document: Any, version: int = 7) -> None:
    """A policy document written straight into Redis (a hand edit, an older release's)."""
    text = document if isinstance(document, str) else json.dumps(document)
    store.client.hset(
        keys.POLICY, mapping={"version": version, "document": text, "updated_at": 1, "updated_by": "hand"}
    )


def test_the_issue_44_policy_is_a_422_and_nothing_is_stored(api: Api) -> None:
    rule = {"action": "flag", "id": "0", "shadow": 0, "when": ALL_NULL}
    answer = put_policy(api, {"mode": "post", "rules": [], "sections": {"s": {"mode": None, "rules": [rule]}}})
    assert answer.status_code == 422 and answer.json()["error"] == "validation_failed"
    fields = {d["field"] for d in answer.json()["details"]}
    assert {"sections.s", "sections.s.rules.0.when", "sections.s.rules.0.shadow"} & fields
    for one in ({**rule, "shadow": False}, {**rule, "shadow": False, "when": {**ALL_NULL, "links": True}}):
        assert put_policy(api, {"rules": [one]}).status_code == 422  # null conditions are not conditions
    assert api.get("/v1/policy", role="admin").json()["version"] == 0
    assert api.post("/v1/submissions", json=COMMENT).status_code == 200


def test_what_is_accepted_reads_back_the_same(api: Api) -> None:
    document = {
        "mode": "pre_links",
        "rules": [{"id": "long", "when": {"length": {"max": 10}}, "action": "flag", "shadow": True}],
        "sections": {"sport": {"rules": [{"id": "new", "when": {"author": {"new": True}}, "action": "hold"}]}},
    }
    stored = put_policy(api, document)
    assert stored.status_code == 200
    assert api.get("/v1/policy", role="admin").json()["policy"] == stored.json()["policy"]


def test_an_unreadable_policy_with_no_good_version_is_a_clear_503(api: Api, store: Store) -> None:
    write_policy(store, {"mode": "post", "rules": [{"id": "x", "when": {}, "action": "flag"}], "sections": {}})
    for answer in (api.get("/v1/policy", role="admin"), api.post("/v1/submissions", json=COMMENT)):
        assert answer.status_code == 503
        assert answer.json()["error"] == "policy_unreadable" and answer.json()["message"]
    write_policy(store, "{not json")
    assert api.post("/v1/submissions", json=COMMENT).json()["error"] == "policy_unreadable"
    fixed = put_policy(api, {"mode": "pre"})  # the way out: an admin replaces it
    assert fixed.status_code == 200 and fixed.json()["version"] == 8
    assert api.post("/v1/submissions", json=COMMENT).json()["decision"] == "hold"


def test_an_unreadable_policy_leaves_the_last_good_one_in_force(api: Api, store: Store) -> None:
    assert put_policy(api, {"mode": "pre"}).status_code == 200
    assert api.post("/v1/submissions", json=COMMENT).json()["decision"] == "hold"  # read: the last good one
    write_policy(store, {"mode": "post", "rules": [{"id": "x", "when": {"links": 1}, "action": "flag"}]})
    again = api.post("/v1/submissions", json={**COMMENT, "item_id": "c-2"})
    assert again.status_code == 200 and again.json()["decision"] == "hold"
    shown = api.get("/v1/policy", role="admin").json()
    assert (shown["version"], shown["policy"]["mode"]) == (1, "pre")


def test_word_lists_unreadable_and_named_by_the_policy(api: Api, store: Store) -> None:
    missing = put_policy(api, {"rules": [{"id": "w", "when": {"wordlist": "slurs"}, "action": "reject"}]})
    assert missing.status_code == 422 and missing.json()["details"][0]["field"] == "rules.0.when.wordlist"
    assert api.request("PUT", "/v1/wordlists/slurs", role="admin", json={"words": ["غبي"]}).ok
    assert put_policy(api, {"rules": [{"id": "w", "when": {"wordlist": "slurs"}, "action": "reject"}]}).ok
    insult = {**COMMENT, "text": "انت غبي"}
    assert api.post("/v1/submissions", json=insult).json()["decision"] == "reject"  # the matcher is built
    store.client.hset(keys.wordlist("slurs"), mapping={"words": json.dumps({"not": "a list"}), "version": "hand"})
    kept = api.post("/v1/submissions", json={**insult, "item_id": "c-2"})
    assert kept.status_code == 200 and kept.json()["decision"] == "reject"  # its last good version
    unreadable = api.get("/v1/wordlists/slurs", role="admin")
    assert unreadable.status_code == 503 and unreadable.json()["error"] == "wordlist_unreadable"


def test_a_fresh_process_with_an_unreadable_word_list_answers_503(
    api_factory: ApiFactory, settings: dict[str, Any], store: Store
) -> None:
    api = api_factory(settings)
    assert api.request("PUT", "/v1/wordlists/spam", role="admin", json={"words": ["اربح"]}).ok
    assert put_policy(api, {"rules": [{"id": "w", "when": {"wordlist": "spam"}, "action": "hold"}]}).ok
    store.client.hset(keys.wordlist("spam"), mapping={"words": "[1, 2", "version": "hand"})
    fresh = api_factory(settings)  # another process: it never read the list
    answer = fresh.post("/v1/submissions", json=COMMENT)
    assert answer.status_code == 503 and answer.json()["error"] == "wordlist_unreadable"


def test_unreadable_webhooks_flaggers_and_model_versions_are_503_not_500(api: Api, store: Store) -> None:
    hook = api.post("/v1/webhooks", role="admin", json={"url": "http://127.0.0.1:9/h", "events": ["*"]}).json()
    good = api.post("/v1/webhooks", role="admin", json={"url": "http://127.0.0.1:9/g", "events": ["*"]}).json()
    store.client.hset(WebhookKeys(hook["id"]).endpoint, "events", "{not json")
    broken = api.get(f"/v1/webhooks/{hook['id']}", role="admin")
    assert broken.status_code == 503 and broken.json()["error"] == "webhook_unreadable"
    assert [w["id"] for w in api.get("/v1/webhooks", role="admin").json()["webhooks"]] == [good["id"]]
    assert api.request("DELETE", f"/v1/webhooks/{hook['id']}", role="admin").status_code == 204  # the way out

    assert api.post("/v1/trusted-flaggers", role="admin", json={"id": "tf-1", "name": "One"}).ok
    store.client.hset(keys.TRUSTED_FLAGGERS, "tf-1", json.dumps({"id": "tf-1"}))  # no name
    notice = {
        "item_id": "n-1",
        "item_type": "comment",
        "url": "https://site.example/n-1",
        "category": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "explanation": "...",
        "good_faith": True,
        "trusted_flagger_id": "tf-1",
    }
    refused = api.post("/v1/notices", json=notice)
    assert refused.status_code == 503 and refused.json()["error"] == "trusted_flagger_unreadable"
    assert api.get("/v1/trusted-flaggers", role="admin").json()["trusted_flaggers"] == []

    store.client.hset(keys.MODELS, "v-hand", "[]")
    assert api.get("/v1/models", role="admin").status_code == 200  # listed without it
    activate = api.post("/v1/models/v-hand/activate", role="admin")
    assert activate.status_code == 503 and activate.json()["error"] == "model_version_unreadable"
