"""The Perspective-compatible API against a served instance: Google's own Python client (built
from Raqib's discovery document), the exact bodies Coral sends, and Google's error shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from raqib.service.perspective.attributes import attribute_score, detect_languages, spans
from raqib.service.store import Store

from .conftest import KEYS, Api

ApiFactory = Callable[[dict[str, Any]], Api]
ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
INSULT = "يا حمار يا كلب"


@pytest.fixture
def served(settings: dict[str, Any], api_factory: ApiFactory) -> Api:
    settings["model_dir"] = ""  # the bundled classifier
    return api_factory(settings)


def call(api: Api, path: str, body: Any, key: str | None = KEYS["client"], **kwargs: Any) -> Any:
    query = f"?key={key}" if key else ""
    return api.request("POST", path + query, role=None, json=body, **kwargs)


def test_google_python_client_works_unchanged(served: Api) -> None:
    from googleapiclient import discovery

    client = discovery.build(
        "commentanalyzer",
        "v1alpha1",
        developerKey=KEYS["client"],
        discoveryServiceUrl=f"{served.base_url}/$discovery/rest?version=v1alpha1",
        static_discovery=False,
        cache_discovery=False,
    )
    request = {
        "comment": {"text": INSULT},
        "requestedAttributes": {"TOXICITY": {}, "INSULT": {}, "THREAT": {}},
        "languages": ["en"],
        "clientToken": "t-1",
    }
    answer = client.comments().analyze(body=request).execute()
    assert set(answer["attributeScores"]) == {"TOXICITY", "INSULT", "THREAT"}
    toxicity = answer["attributeScores"]["TOXICITY"]["summaryScore"]
    assert toxicity["type"] == "PROBABILITY" and toxicity["value"] > 0.5
    assert answer["languages"] == ["ar"] and answer["detectedLanguages"] == ["ar"] and answer["clientToken"] == "t-1"
    suggestion = {"comment": {"text": INSULT}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}
    assert client.comments().suggestscore(body=suggestion).execute() == {"detectedLanguages": ["ar"]}


def test_coral_analyze_and_suggestscore_bodies(served: Api, store: Store) -> None:
    # Coral's toxic phase: one attribute, doNotStore, languages ["en"] whatever the locale.
    coral = {
        "comment": {"text": INSULT},
        "languages": ["en"],
        "doNotStore": True,
        "requestedAttributes": {"TOXICITY": {}},
    }
    response = call(served, ANALYZE, coral)
    assert response.status_code == 200, response.text
    score = response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]  # what Coral reads
    assert isinstance(score, float) and score > 0.8
    assert store.perspective.kept() == []  # doNotStore: nothing kept
    # Coral's feedback when a moderator rejects a comment.
    feedback = {
        "comment": {"text": INSULT},
        "context": {
            "entries": [{"text": json.dumps({"url": "https://site/story?commentID=c-9", "Coral_comment_id": "c-9"})}]
        },
        "attributeScores": {"DELETED": {"summaryScore": {"value": 1}}},
        "languages": ["en"],
        "communityId": "Coral:https://site",
        "clientToken": "comment:c-9",
    }
    answered = call(served, SUGGEST, feedback)
    assert answered.status_code == 200 and answered.json()["clientToken"] == "comment:c-9"
    [kept] = store.perspective.suggestions()
    assert (kept["comment_id"], kept["labels"], kept["text"]) == ("c-9", {"offensive": 1}, INSULT)
    approved = {**feedback, "attributeScores": {"APPROVED": {"summaryScore": {"value": 1}}}}
    call(served, SUGGEST, approved)
    assert store.perspective.suggestions()[-1]["labels"] == {"offensive": 0}


def test_thresholds_spans_aliases_and_storage(served: Api, store: Store) -> None:
    body: dict[str, Any] = {
        "comment": {"text": "مقال رائع. " + INSULT + "!"},
        "requestedAttributes": {"TOXICITY_EXPERIMENTAL": {}, "SPAM": {"scoreThreshold": 0.99}},
        "spanAnnotations": True,
        "doNotStore": False,
    }
    answer = call(served, ANALYZE, body).json()
    assert set(answer["attributeScores"]) == {"TOXICITY_EXPERIMENTAL"}  # SPAM under its threshold: left out
    first, second = answer["attributeScores"]["TOXICITY_EXPERIMENTAL"]["spanScores"]
    assert (first["begin"], second["end"]) == (0, len(body["comment"]["text"]))
    assert second["score"]["value"] > first["score"]["value"]  # the insult is in the second sentence
    [kept] = store.perspective.kept()
    assert kept["text"] == body["comment"]["text"] and set(kept["scores"]) >= {"offensive"}


@pytest.mark.parametrize(
    ("body", "status", "reason_or_text"),
    [
        ({"comment": {"text": "x"}, "requestedAttributes": {"FLIRTATION": {}}}, "INVALID_ARGUMENT", "FLIRTATION"),
        ({"comment": {"text": "   "}, "requestedAttributes": {"TOXICITY": {}}}, "INVALID_ARGUMENT", "non-empty"),
        ({"comment": {"text": "ب" * 10_241}, "requestedAttributes": {"TOXICITY": {}}}, "INVALID_ARGUMENT", "too long"),
        ({"comment": {"text": "x"}}, "INVALID_ARGUMENT", "at least one"),
        (
            {"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}},
            "INVALID_ARGUMENT",
            "PROBABILITY",
        ),
        (
            {"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {}}, "bogus": 1},
            "INVALID_ARGUMENT",
            "Unknown name",
        ),
    ],
)
def test_bad_requests_answer_in_googles_shape(
    served: Api, body: dict[str, Any], status: str, reason_or_text: str
) -> None:
    response = call(served, ANALYZE, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["status"] == status and reason_or_text in error["message"]


def test_bad_json_keys_and_dropped_attributes(served: Api) -> None:
    bad = served.request(
        "POST", f"{ANALYZE}?key={KEYS['client']}", role=None, data="{nope", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["message"].startswith("Invalid JSON payload")
    body = {"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {}}}
    wrong = call(served, ANALYZE, body, key="not-a-key")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    missing = call(served, ANALYZE, body, key=None)
    assert missing.status_code == 403 and missing.json()["error"]["status"] == "PERMISSION_DENIED"
    moderator = call(served, ANALYZE, body, key=KEYS["moderator"])
    assert moderator.status_code == 403
    header = served.request("POST", ANALYZE, role="client", json=body)  # the Authorization header works too
    assert header.status_code == 200
    dropped = call(
        served,
        ANALYZE,
        {**body, "requestedAttributes": {"TOXICITY": {}, "FLIRTATION": {}}, "dropUnsupportedAttributes": True},
    )
    assert set(dropped.json()["attributeScores"]) == {"TOXICITY"}
    big = served.request(
        "POST",
        f"{ANALYZE}?key={KEYS['client']}",
        role=None,
        data="x" * 70_000,
        headers={"Content-Type": "application/json"},
    )
    assert big.status_code == 400 and big.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert served.get("/$discovery/rest?version=v1", role=None).status_code == 404


def test_rate_limit_is_resource_exhausted(settings: dict[str, Any], api_factory: ApiFactory) -> None:
    settings.update(model_dir="", perspective_rate_limit="2/60")
    api = api_factory(settings)
    body = {"comment": {"text": "نص"}, "requestedAttributes": {"TOXICITY": {}}}
    codes = [call(api, ANALYZE, body).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = call(api, ANALYZE, body)
    assert limited.json()["error"]["status"] == "RESOURCE_EXHAUSTED" and int(limited.headers["Retry-After"]) > 0


def test_the_attribute_table() -> None:
    scores = {"offensive": 0.8, "hate": 0.3, "vulgar": 0.6, "violence": 0.1, "spam": 0.05}
    table = {
        a: attribute_score(a, scores)
        for a in ("TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT", "SPAM")
    }
    assert table == {
        "TOXICITY": 0.8,
        "SEVERE_TOXICITY": 0.6,
        "IDENTITY_ATTACK": 0.3,
        "INSULT": 0.8,
        "PROFANITY": 0.6,
        "THREAT": 0.1,
        "SPAM": 0.05,
    }
    assert attribute_score("SEVERE_TOXICITY", {**scores, "offensive": 0.4}) == 0.0
    assert detect_languages("يا حمار") == ["ar"] and detect_languages("3lach nta 7mar") == ["ar"]
    assert detect_languages("c'est vraiment nul") == ["fr"] and detect_languages("you are great") == ["en"]
    assert spans("جملة أولى. جملة ثانية! ") == [(0, 10), (10, 22)]


def test_kept_texts_never_outlive_the_retention(store: Store) -> None:
    from raqib.service.store import keys

    three_days_ago = store.now_ms() - 3 * 86_400_000
    store.client.xadd(keys.PERSPECTIVE_KEPT, {"entry": json.dumps({"text": "old"})}, id=f"{three_days_ago}-0")
    store.perspective.keep({"text": "new"}, retention_days=2)
    assert [e["text"] for e in store.perspective.kept()] == ["new"]
    store.perspective.keep({"text": "never"}, retention_days=0)
    assert [e["text"] for e in store.perspective.kept()] == ["new"]
