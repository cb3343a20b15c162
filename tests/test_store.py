from __future__ import annotations

import re
from pathlib import Path

import pytest
from raqib.service.store import RateLimitExceeded, ReportRules, Store, keys, scripts
from redis.crc import key_slot

from .conftest import direct_report


def test_every_script_declares_its_keys_by_name() -> None:
    for name in scripts.SCRIPTS:
        source = scripts._read(f"{name}.lua")
        assert source.startswith(f"-- {name}.lua:"), name
        assert scripts.signature(name).keys, name  # parsed, and the body uses exactly those names
        assert not re.search(r"redis\.call\('[A-Z]+',\s*'raqib", source), f"{name} builds a key itself"


def test_header_names_bind_in_order_and_optional_keys_go_last() -> None:
    found = scripts.parse_header("t", "-- KEYS: item history\n-- KEYS: [rate trust]\n-- ARGV: item_id settings\n")
    assert found == scripts.Signature(("item", "history"), ("rate", "trust"), ("item_id", "settings"))
    assert found.order("t", {"item": "i", "history": "h"}, {"settings": "s", "item_id": "x"}) == (
        ["i", "h"],
        ["x", "s"],
    )
    both = {"item": "i", "history": "h", "rate": "r", "trust": "t"}
    assert found.order("t", both, {"settings": "s", "item_id": "x"})[0] == ["i", "h", "r", "t"]
    assert "local K = {item = KEYS[1], history = KEYS[2], rate = KEYS[3], trust = KEYS[4]}" in found.prelude()


@pytest.mark.parametrize(
    ("keys_", "args", "problem"),
    [
        ({"item": "i"}, {"item_id": "x", "settings": "s"}, r"keys missing \['history'\]"),
        ({"item": "i", "history": "h", "extra": "e"}, {"item_id": "x", "settings": "s"}, r"unknown \['extra'\]"),
        ({"item": "i", "history": "h"}, {"item_id": "x"}, r"arguments missing \['settings'\]"),
        ({"item": "i", "history": "h", "rate": "r"}, {"item_id": "x", "settings": "s"}, "go together"),
    ],
)
def test_a_call_with_a_missing_or_extra_name_fails_before_redis(keys_: dict, args: dict, problem: str) -> None:
    found = scripts.parse_header("t", "-- KEYS: item history [rate trust]\n-- ARGV: item_id settings\n")
    with pytest.raises(scripts.ScriptCallError, match=problem):
        found.order("t", keys_, args)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("-- ARGV: a\nreturn A.a\n", "declares no keys"),
        ("-- KEYS: item\nreturn redis.call('GET', KEYS[1])\n", "KEYS"),
        ("-- KEYS: item\nreturn redis.call('GET', K.itme)\n", r"used but not declared \['itme'\]"),
        ("-- KEYS: item other\nreturn redis.call('GET', K.item)\n", r"declared but not used \['other'\]"),
        ("-- KEYS: [a] b\nreturn K.a .. K.b\n", "optional keys go last"),
        ("-- KEYS: item item\nreturn K.item\n", "repeated"),
    ],
)
def test_a_header_that_disagrees_with_its_body_fails_at_load(text: str, problem: str) -> None:
    with pytest.raises(scripts.ScriptHeaderError, match=problem):
        scripts._check_body("t", scripts.parse_header("t", text), text)


def test_item_keys_share_one_cluster_slot_with_their_partition() -> None:
    for item_id in ["a", "comment:123", "x" * 128, "img.5"]:
        k = keys.ItemKeys.of(item_id, 16)
        p = k.partition
        item_keys = (k.item, k.reporters, k.reports, k.history, k.claim, k.overruled)
        shared = (p.events, p.review, p.audit, p.stats, p.decision_times)
        slots = {key_slot(key.encode()) for key in item_keys + shared}
        assert len(slots) == 1, item_id


def test_partitions_spread_items() -> None:
    used = {keys.partition_of(f"item-{n}", 16) for n in range(1000)}
    assert used == set(range(16))


def test_report_script_is_exactly_once(store: Store) -> None:
    outcomes = [direct_report(store, "s1", f"r{n}", threshold=2, new_item_fields={"text": "t"}) for n in range(4)]
    assert [o.hidden_now for o in outcomes] == [False, True, False, False]
    assert [o.status for o in outcomes] == ["visible", "hidden", "hidden", "hidden"]
    assert [e.type for e in store.events()].count("item.hidden") == 1


def test_events_carry_the_schema(store: Store) -> None:
    direct_report(store, "s2", "r", item_type="image", reason="vulgar", threshold=1)
    reported, hidden = list(store.events())
    assert hidden.id.startswith(f"evt_{hidden.partition:02d}_")
    assert hidden.data == {
        "item_id": "s2",
        "item_type": "image",
        "status": "hidden",
        "seq": 2,
        "reports": 1,
        "actor": "system",
        "rule": "test",
        "threshold": 1,
        "weight": 1,
    }
    assert reported.data["reason"] == "vulgar"


def test_lua_files_are_packaged() -> None:
    lua_dir = Path(scripts.__file__).parent / "lua"
    names = [p.name.removesuffix(".lua") for p in lua_dir.glob("*.lua") if not p.name.endswith(".lib.lua")]
    assert sorted(names) == sorted(scripts.SCRIPTS)
    libraries = {p.name.removesuffix(".lib.lua") for p in lua_dir.glob("*.lib.lua")}
    assert libraries == {lib for used in scripts.LIBRARIES.values() for lib in used}


def variants(store: Store) -> list[bool]:
    """The ``cluster`` flags a test runs its store under: on one server both the in-script variant
    (False) and the separate call a cluster needs (True); on a cluster only the latter, since the
    in-script one needs every key on one server. Each variant starts from an empty Redis."""
    return [True] if store.cluster else [False, True]


def fresh(store: Store, cluster: bool) -> Store:
    store.client.flushall()
    return Store(store.client, partitions=store.partitions, cluster=cluster)


def test_rate_limited_report_writes_nothing(store: Store) -> None:
    for cluster in variants(store):
        rate_limited_report_writes_nothing(fresh(store, cluster))


def rate_limited_report_writes_nothing(limited: Store) -> None:
    rules = ReportRules(rate_limit=2, rate_window_s=60)
    for n in range(2):
        direct_report(limited, f"f{n}", "flooder", rules=rules)
    with pytest.raises(RateLimitExceeded) as caught:
        direct_report(limited, "f9", "flooder", rules=rules)
    assert 1 <= caught.value.retry_after <= 60
    assert limited.get_item("f9") is None


def test_queue_pages_merge_partitions_in_chunks_with_ties_by_id(store: Store) -> None:
    priorities = {f"q{n:02d}": float(n % 7) for n in range(40)}  # many ties, spread over partitions
    for item_id, priority in priorities.items():
        k = store.item_keys(item_id)
        store.client.hset(k.item, mapping={"status": "hidden" if priority > 3 else "visible", "item_type": "comment"})
        store.client.zadd(k.partition.review, {item_id: priority})
        store.client.zadd(k.partition.review_oldest, {item_id: -(1000 + priority)})  # minus the round's start
    expected = sorted(priorities, key=lambda i: (-priorities[i], i))
    review = store.review
    assert len({store.item_keys(i).partition.review for i in priorities}) > 1

    def page(after: tuple[float, str] | None, want: int = 6, **kw: int) -> list[str]:
        return [e.item_id for e in review.queue_page("priority", lambda e: True, want, after, **kw)]

    assert page(None, 40, chunk=3) == expected
    assert page(None, 40, chunk=200) == expected
    assert page((-priorities["q13"], "q13"), 5, chunk=2) == expected[expected.index("q13") + 1 :][:5]
    hidden = review.queue_page("priority", lambda e: e.fields["status"] == "hidden", 100, None, chunk=4)
    assert [e.item_id for e in hidden] == [i for i in expected if priorities[i] > 3]
    assert all(e.priority == priorities[e.item_id] for e in hidden)
    oldest = [e.item_id for e in review.queue_page("oldest", lambda e: True, 40, None, chunk=3)]
    assert oldest == sorted(priorities, key=lambda i: (priorities[i], i))
    assert [e.item_id for e in review.queue_page("oldest", lambda e: True, 3, (1003.0, "q10"), chunk=2)] == [
        i for i in oldest if (1000 + priorities[i], i) > (1003.0, "q10")
    ][:3]
    store.client.delete(store.item_keys("q06").item)  # a queue member without its record is skipped
    assert "q06" not in page(None, 40, chunk=3)


def test_a_first_text_is_queued_for_scoring_once(store: Store) -> None:
    """The report that brings a comment's first text queues it for the worker's classifier (on one
    server inside the report script, on a cluster right after it); later reports do not."""
    for cluster in variants(store):
        first_text_is_queued_for_scoring_once(fresh(store, cluster))


def first_text_is_queued_for_scoring_once(view: Store) -> None:
    cluster = view.cluster
    view.scoring.ensure_group()
    outcomes = [
        direct_report(view, "q1", "r1", new_item_fields={"text": "نص"}, score=True),
        direct_report(view, "q1", "r2", new_item_fields={"text": "نص"}, score=True),
        direct_report(view, "q2", "r1", score=True),  # no text yet
        direct_report(view, "q2", "r1", new_item_fields={"text": "نص آخر"}, score=True),  # a duplicate brings it
        direct_report(view, "q3", "r1", new_item_fields={"text": "نص"}),  # no classifier
    ]
    assert [o.new_text for o in outcomes] == [True, False, False, True, True]
    assert [item for _, item in view.scoring.read_jobs("test", 10, None)] == ["q1", "q2"]
    # The bank is empty: on one server the script says so, and no lookup follows; a cluster cannot tell.
    assert [o.may_match_bank for o in outcomes] == ([True, False, False, True, True] if cluster else [False] * 5)
    assert view.texts.add("e1", "removed", "هذا تعليق محذوف طويل بما يكفي ليدخل بنك النصوص", "mod", 1)
    assert direct_report(view, "q4", "r1", new_item_fields={"text": "نص"}, score=True).may_match_bank
