"""Moderators' names in any script: accepted as given (NFC), refused with a clear reason."""

from __future__ import annotations

import re
import unicodedata

import pytest
from raqib.service.names import BadName, clean_name, header_text

from .conftest import Api, report


@pytest.mark.parametrize("name", ["سلمى", "Salma B.", "O'Neil", "yassine_2", "سلمى بنعلي", "a@site", "Ωμέγα", "李"])
def test_names_in_any_script_are_kept_as_given(name: str) -> None:
    assert clean_name(name) == name


def test_names_are_nfc_normalised_and_trimmed() -> None:
    decomposed = unicodedata.normalize("NFD", "Amélie")
    assert clean_name(f"  {decomposed} ") == "Amélie"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("x" * 65, "at most 64"),
        ("salma\u202eevil", "U+202E"),  # right-to-left override
        ("سلمى\u2066", "U+2066"),  # isolate
        ("a\nb", "U+000A"),
        ("a\u200bb", "U+200B"),  # zero-width space
        ("a<b>", "U+003C"),
    ],
)
def test_control_bidi_and_other_characters_are_refused(name: str, problem: str) -> None:
    with pytest.raises(BadName, match=re.escape(problem)):
        clean_name(name)


def test_header_bytes_are_read_as_utf8() -> None:
    assert header_text("سلمى".encode().decode("latin-1")) == "سلمى"
    with pytest.raises(BadName, match="UTF-8"):
        header_text(b"\xff\xfe".decode("latin-1"))


def test_the_audit_shows_an_arabic_name_as_given_and_a_bad_one_is_422(api: Api) -> None:
    report(api, "n-1", "reader")
    arabic = {"X-Raqib-Actor": "سلمى".encode()}
    claimed = api.post("/v1/review/items/n-1/claim", role="moderator", json={}, headers=arabic)
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "moderator:سلمى"
    history = api.get("/v1/review/items/n-1/history", role="moderator").json()["history"]
    assert history[-1]["actor"] == "moderator:سلمى"
    bidi = {"X-Raqib-Actor": "salma\u202e".encode()}
    refused = api.post("/v1/review/items/n-1/claim", role="moderator", json={}, headers=bidi)
    assert refused.status_code == 422
    assert refused.json()["error"] == "validation_failed" and "U+202E" in refused.json()["message"]
