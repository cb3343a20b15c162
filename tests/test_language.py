"""The language detector the thresholds and the Perspective route read: pure rules, no model."""

from __future__ import annotations

import pytest
from raqib.models.language import detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("يا حمار", "ar"),
        ("3lach nta 7mar", "ar"),  # Arabizi: digits for letters Latin lacks
        ("@USER @USER @USER @USER شهر 3 😤", "ar"),  # mentions are not the writer's Latin
        ("c'est vraiment nul", "fr"),
        ("@user ta foutu quoi avec ton mongol", "fr"),
        ("t'es un putain de mongol", "fr"),  # an elision
        ("you are great", "en"),
        ("Lot of my peeps playing 2nite, my girl playing against the heat", "en"),  # 2nite is English
        ("RT @sirTurn3r: Lmaoo Thats what u got from this? http://t.co/x &#128553;", "en"),
        ("", "en"),
    ],
)
def test_detect(text: str, language: str) -> None:
    assert detect(text) == language
