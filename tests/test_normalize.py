from __future__ import annotations

import pytest
from raqib.models.normalize import URL_TOKEN, USER_TOKEN, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أَهْلاً بِكُمْ", "اهلا بكم"),  # diacritics, alef with hamza
        ("جميـــــل", "جميل"),  # tatweel
        ("إلى مدرسة", "الي مدرسه"),  # alef, alef maqsura, ta marbuta
        ("ﻻ", "لا"),  # presentation form
        ("جداااااا", "جداا"),  # elongation kept as a doubled letter
        ("هههههههه", "هه"),
        ("3lach ma9alti", "عlach maقalti"),  # Arabizi digits that touch letters
        ("covid19 2020", "covid19 2020"),  # numbers stay numbers
        ("٤٠ شخص", "40 شخص"),  # Eastern Arabic digits
        ("#صدارة_بس", "صداره بس"),  # hashtags become words
        ("RT @USER: مرحبا", f"{USER_TOKEN} : مرحبا"),
        ("شوف https://t.co/abc و @someone", f"شوف {URL_TOKEN} و {USER_TOKEN}"),
        ("سطر<LF>سطر", "سطر سطر"),
        ("زمالك⚪🔴", "زمالك ⚪ 🔴"),  # emoji kept, isolated
        ("😂😂😂😂", "😂 😂"),
        ("  كثير   فراغ  ", "كثير فراغ"),
        ("Bonjour TOUT le monde", "bonjour tout le monde"),
    ],
)
def test_rules(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_is_idempotent() -> None:
    for text in ["أَهْلاً 3lach #يا_ناس 😂😂😂 @USER URL", "ﻻ يا جماعه"]:
        assert normalize(normalize(text)) == normalize(text)


def test_empty() -> None:
    assert normalize("") == ""
