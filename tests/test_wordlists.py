"""Word lists matched the Arabic way (pure: no Redis)."""

from __future__ import annotations

import pytest
from raqib.service.moderation.wordlists import MAX_WORDS, WordMatcher, check_words

LIST = WordMatcher(["غبي", "حمار", "ابن الكلب", "zebi", "الله يلعنك", "نصاب"])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("انت غبي", ["غبي"]),
        ("غَبِيّ جدا", ["غبي"]),  # diacritics
        ("غبـــي", ["غبي"]),  # tatweel
        ("يا حماااار", ["حمار"]),  # elongation
        ("والغبي هذا", ["غبي"]),  # clitics in front
        ("بالحمار", ["حمار"]),
        ("غبية", ["غبي"]),  # ta marbuta, folded like the classifier does
        ("حمارة الحي", ["حمار"]),  # the feminine is the same insult
        ("الحمارين", ["حمار"]),  # plural ending
        ("يا ابن الكلب", ["ابن الكلب"]),  # a phrase
        ("يا ابن الكلبين", ["ابن الكلب"]),  # its last word with a suffix
        ("ZEBI !!", ["zebi"]),  # Latin script, case
        ("الله يلعنك يا نصاب", ["الله يلعنك", "نصاب"]),
        ("أنت نصّاب", ["نصاب"]),  # hamza on alef, shadda
    ],
)
def test_what_matches(text: str, found: list[str]) -> None:
    assert LIST.find(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "غبيرة الطريق",  # a longer, unrelated word
        "ابن عمي والكلب",  # the phrase's words not in a row
        "الله يرحمك",  # only the phrase's first word
        "مقال جميل",
        "zebiba",
    ],
)
def test_what_does_not_match(text: str) -> None:
    assert LIST.find(text) == []


def test_short_words_take_no_suffix() -> None:
    short = WordMatcher(["كس"])
    assert short.find("الكس") == ["كس"] and short.find("كسكس") == [] and short.find("كسرة") == []


def test_list_limits() -> None:
    assert check_words(["ok"] * 3) == []
    assert check_words(["x"] * (MAX_WORDS + 1))[0].startswith("words: at most 50000")
    assert check_words(["", "ok", "x" * 101]) == [
        "words.0: has no letters after normalisation",
        "words.2: longer than 100 characters",
    ]
