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


# An Arabizi insult stored reversed and wrapped in a right-to-left override: readers and moderators
# see "nta 7mar w klb" on screen, so the model must read that too.
STORED_UNDER_RLO = "\u202e" + "nta 7mar w klb"[::-1] + "\u202c"


@pytest.mark.parametrize("version", [1, 2, 3])
def test_text_under_an_override_is_read_as_displayed(version: int) -> None:
    assert normalize(STORED_UNDER_RLO, version) == normalize("nta 7mar w klb", version)
    assert normalize("ok \u202e" + "klb"[::-1], version) == normalize("ok klb", version)  # no PDF: to the end
    # Arabic under a left-to-right override is laid out back to front for an Arabic reader
    assert normalize("\u202d" + "يا حمار"[::-1] + "\u202c", version) == normalize("يا حمار", version)
    # Arabic under RLO and Latin under LRO display in their own order: only the controls go
    assert normalize("\u202eيا حمار\u202c", version) == normalize("يا حمار", version)
    assert normalize("\u202dnta 7mar\u202c", version) == normalize("nta 7mar", version)


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_embeddings_and_isolates_are_dropped(control: str) -> None:
    assert normalize(f"nta{control} 7mar{control}", 3) == "nta 7mar"
