from __future__ import annotations

import pytest
from raqib.models.normalize import URL_TOKEN, USER_TOKEN, normalize, version_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أَهْلاً بِكُمْ", "اهلا بكم"),  # diacritics, alef with hamza
        ("جميـــــل", "جميل"),  # tatweel
        ("إلى مدرسة", "الي مدرسه"),  # alef, alef maqsura, ta marbuta
        ("ﻻ", "لا"),  # presentation form
        ("جداااااا", "جداا"),  # elongation kept as a doubled letter
        ("هههههههه", "هه"),
        ("3lach ma9alti", "3lach ma9alti"),  # Arabizi digits are letters of their Latin word
        ("3LACH nta 7mar", "3lach nta 7mar"),  # lower case, digits kept
        ("Très bien, ça va à l'école", "tres bien, ca va a l'ecole"),  # accents folded
        ("merciiiii khouyaaaa", "mercii khouyaa"),  # elongation squeezed in Latin too
        ("ya3tik sa7a يعطيك الصحة", "ya3tik sa7a يعطيك الصحه"),  # each script keeps its own
        ("Ｍerci", "merci"),  # full-width Latin (NFKC)
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


def test_version_1_still_maps_arabizi_digits() -> None:
    """Artifacts trained before version 2 get the text they were trained on."""
    assert normalize("3lach ma9alti", 1) == "عlach maقalti"
    assert normalize("Très", 1) == "très"


@pytest.mark.parametrize(("setting", "version"), [(True, 1), (2, 2), (False, None), (None, None)])
def test_version_of_artifact_setting(setting: object, version: int | None) -> None:
    assert version_of(setting) == version


def test_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown normaliser"):
        version_of(7)


def test_arabic_letters_are_never_decomposed() -> None:
    """Accent folding is for Latin letters: alef with madda is folded by its own rule, not by NFKD."""
    assert normalize("آمين") == "امين"


def test_empty() -> None:
    assert normalize("") == ""
