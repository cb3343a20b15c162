"""The bank of removed comments: what counts as a near-copy (pure), and the bank following
moderators' decisions, hiding near-copies at their first report and catching them at submission
(real Redis, single server and cluster, real HTTP)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from raqib.service.store import Store
from raqib.service.texts.edits import EDITS, near_copy
from raqib.service.texts.signature import signature

from .conftest import Api, report

REMOVED = [
    "هذا الكلام غير مقبول ابدا من طرف اي شخص محترم في هذا البلد والله العظيم",
    "الله ياخذ فيكم الحق يا الخونة بعتو البلاد للاجانب وسكتو على الفساد",
    "3lach nta 7mar w ma katfhem walou, sir t9awed a wld l97ba rak 7chouma",
    "انتم مجرد عبيد للمخزن ولا تستحقون الحياة في هذا الوطن الحر الجميل",
]
MATCH = 0.6


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_each_kind_of_near_copy_matches(kind: str) -> None:
    rng = random.Random(kind)
    for text in REMOVED:
        copy, _ = near_copy(text, rng, [kind])
        original, edited = signature(text), signature(copy)
        assert original is not None and edited is not None
        assert original.similarity(edited) >= MATCH, (kind, copy)


def test_several_edits_at_once_still_match() -> None:
    rng = random.Random(7)
    scores = [signature(t).similarity(signature(near_copy(t, rng)[0])) for t in REMOVED for _ in range(10)]
    assert sum(s >= MATCH for s in scores) >= 0.95 * len(scores)


def test_what_must_not_match() -> None:
    assert signature("حسبي الله ونعم الوكيل") is None  # 4 words, under 20 letters: never banked
    assert signature("يا حمار يا كلب") is None  # short
    assert signature("you are so dumb man") is None  # 5 words, 15 letters
    formula = signature("حسبي الله ونعم الوكيل في كل من ساهم في غلاء الاسعار وترك الناس بلا عمل ولا سكن")
    other = signature("حسبي الله ونعم الوكيل في هذا المسؤول الذي سرق المال العام وهرب الى الخارج بلا حساب")
    assert formula is not None and other is not None and formula.similarity(other) < 0.5
    unrelated = signature("مبروك للفريق الوطني هاد الفوز المستحق على المنتخب المنافس في النهائي")
    assert all(unrelated.similarity(signature(t)) < 0.3 for t in REMOVED)


def remove(api: Api, item_id: str, action: str = "remove", code: str = "harassment", override: bool = False) -> Any:
    body = {"action": action, "reason_code": code, "override": override}
    response = api.post(
        f"/v1/review/items/{item_id}/decision", role="moderator", json=body, headers={"X-Raqib-Actor": "salma"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def bank_ids(api: Api) -> list[str]:
    return [e["entry_id"] for e in api.get("/v1/texts/bank", role="moderator").json()["entries"]]


def test_a_removed_comment_is_banked_and_its_near_copy_hidden_at_first_report(api: Api) -> None:
    for reader in ("a", "b", "c"):
        report(api, "t-orig", reader, text=REMOVED[0])
    remove(api, "t-orig")
    assert bank_ids(api) == ["t-orig"]
    copy, _ = near_copy(REMOVED[0], random.Random(1), ["emoji", "elongation", "word_replaced"])
    first = report(api, "t-copy", "reader-x", text=copy).json()
    assert first["status"] == "hidden" and first["reports"] == 1
    hidden = api.get("/v1/items/t-copy").json()["history"][-1]
    assert (
        hidden["rule"] == "text_match" and hidden["match"]["entry"] == "t-orig" and hidden["match"]["similarity"] >= 0.7
    )
    assert report(api, "t-other", "reader-y", text=REMOVED[1]).json()["status"] == "visible"
    assert report(api, "t-short", "reader-z", text="حسبي الله ونعم الوكيل").json()["status"] == "visible"

    remove(api, "t-orig", "restore", "no_violation", override=True)  # restored: out of the bank
    assert bank_ids(api) == []
    assert report(api, "t-copy-2", "reader-w", text=copy).json()["status"] == "visible"


def test_a_near_copy_is_held_at_submission_by_the_default_policy(api: Api) -> None:
    report(api, "s-orig", "a", text=REMOVED[2])
    remove(api, "s-orig", code="vulgarity")
    copy, _ = near_copy(REMOVED[2], random.Random(3), ["punctuation", "reordered"])
    body = {"item_id": "s-copy", "item_type": "comment", "author_id": "u-1", "text": copy}
    answer = api.post("/v1/submissions", json=body).json()
    assert (answer["decision"], answer["status"]) == ("hold", "held")
    assert (
        answer["reasons"][0]["rule"] == "removed_text_again"
        and answer["reasons"][0]["detail"]["match"]["entry"] == "s-orig"
    )
    api.request(
        "PUT",
        "/v1/policy",
        role="admin",
        json={"rules": [{"id": "copies", "when": {"text_bank": {"min_similarity": 0.8}}, "action": "reject"}]},
    )
    again = api.post("/v1/submissions", json={**body, "item_id": "s-copy-2"}).json()
    assert again["decision"] == "reject"
    fresh = api.post("/v1/submissions", json={**body, "item_id": "s-new", "text": REMOVED[3]}).json()
    assert fresh["decision"] == "publish"


def test_the_bank_api_and_a_change_left_by_a_dead_request(api: Api, store: Store) -> None:
    report(api, "b-1", "a", text=REMOVED[3])
    # the decision is recorded, and the process dies before touching the bank
    decided = store.review.decide("b-1", "remove", "moderator:salma", {"action": "remove"}, False, "", "add")
    assert bank_ids(api) == [] and store.banks.pending(0) == ["b-1"]
    assert store.banks.apply("b-1", 50)  # what the worker's sweep does
    assert not store.banks.apply("b-1", 50, decided.seq)  # done once: nothing left
    page = api.get("/v1/texts/bank?limit=1", role="moderator").json()
    assert (
        page["total"] == 1
        and page["entries"][0]["item_id"] == "b-1"
        and page["entries"][0]["added_by"] == "moderator:salma"
    )
    assert page["entries"][0]["excerpt"] == REMOVED[3][:140]
    assert api.get("/v1/texts/bank", role="client").status_code == 403
    assert api.request("DELETE", "/v1/texts/bank/b-1", role="moderator").status_code == 204
    assert api.request("DELETE", "/v1/texts/bank/b-1", role="moderator").status_code == 404
    assert bank_ids(api) == []


def test_paging(api: Api, store: Store) -> None:
    for n, text in enumerate(REMOVED):
        assert store.texts.add(f"p-{n}", f"p-{n}", text, "moderator:salma", 1000 + n)
    assert not store.texts.add("p-0", "p-0", REMOVED[0], "moderator:salma", 1)  # banked once
    first = api.get("/v1/texts/bank?limit=3", role="moderator").json()
    assert [e["entry_id"] for e in first["entries"]] == ["p-3", "p-2", "p-1"] and first["next_cursor"] == "3"
    second = api.get(f"/v1/texts/bank?limit=3&cursor={first['next_cursor']}", role="moderator").json()
    assert [e["entry_id"] for e in second["entries"]] == ["p-0"] and second["next_cursor"] is None
