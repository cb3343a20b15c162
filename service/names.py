"""Moderators' names as they give them: any script, checked and NFC-normalised, so that the audit
trail shows «سلمى» as سلمى and no name can hide a control or a bidi override character."""

from __future__ import annotations

import unicodedata

MAX_NAME_CHARS = 64
NAME_PUNCTUATION = frozenset(" .-_'@")
NAME_RULE = "letters of any script, digits, spaces and . - _ ' @, at most 64 characters"


class BadName(ValueError):
    """Why a name was refused (the message says it plainly)."""


def _allowed(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN" or ch in NAME_PUNCTUATION


def clean_name(raw: str) -> str:
    """The name, NFC-normalised and trimmed; :class:`BadName` for control, format (bidi overrides,
    zero-width) or other characters, an empty name, or one over ``MAX_NAME_CHARS``."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise BadName("the name is empty")
    if len(name) > MAX_NAME_CHARS:
        raise BadName(f"the name has {len(name)} characters; at most {MAX_NAME_CHARS}")
    bad = sorted({ch for ch in name if not _allowed(ch)})
    if bad:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in bad)
        raise BadName(f"the name may hold {NAME_RULE}; it has {shown}")
    return name


def header_text(value: str) -> str:
    """A header value as its UTF-8 bytes mean it (WSGI hands headers over as Latin-1)."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise BadName("the header is not valid UTF-8") from None
