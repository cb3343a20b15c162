"""Perspective's attributes, derived from Raqib's five categories (one table, in the README too).

| attribute       | from Raqib                | how close                                          |
|-----------------|---------------------------|----------------------------------------------------|
| TOXICITY        | offensive                 | the same notion: rude, abusive, hateful            |
| SEVERE_TOXICITY | max(0, 2 × offensive − 1) | approximate: the offensive score's upper half      |
| IDENTITY_ATTACK | hate                      | the same notion (attacks on a shared trait)        |
| INSULT          | offensive                 | approximate: Arabic data labels insults offensive  |
| PROFANITY       | vulgar                    | the same notion                                    |
| THREAT          | violence                  | the same notion (threats, incitement)              |
| SPAM            | spam                      | Perspective's experimental SPAM                    |

``*_EXPERIMENTAL`` names of the same attributes are accepted as aliases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from raqib.models.language import detect

Scores = Mapping[str, float]

ATTRIBUTES: dict[str, Callable[[Scores], float]] = {
    "TOXICITY": lambda s: s["offensive"],
    "SEVERE_TOXICITY": lambda s: max(0.0, 2 * s["offensive"] - 1),
    "IDENTITY_ATTACK": lambda s: s["hate"],
    "INSULT": lambda s: s["offensive"],
    "PROFANITY": lambda s: s["vulgar"],
    "THREAT": lambda s: s["violence"],
    "SPAM": lambda s: s["spam"],
}
# A suggested score on an attribute is a label on this category (the learning loop's data).
LABELS: dict[str, str] = {
    "TOXICITY": "offensive",
    "SEVERE_TOXICITY": "offensive",
    "IDENTITY_ATTACK": "hate",
    "INSULT": "offensive",
    "PROFANITY": "vulgar",
    "THREAT": "violence",
    "SPAM": "spam",
}
# Coral sends a moderator's verdict as the comment's status: an attribute named after it.
VERDICTS: dict[str, float] = {"APPROVED": 0.0, "ACCEPTED": 0.0, "DELETED": 1.0, "REJECTED": 1.0}


def canonical(name: str) -> str | None:
    """The attribute ``name`` stands for, or None if Raqib does not know it."""
    base = name.removesuffix("_EXPERIMENTAL")
    return base if base in ATTRIBUTES else None


def attribute_score(name: str, scores: Scores) -> float:
    return round(min(1.0, max(0.0, ATTRIBUTES[name](scores))), 4)


def detect_languages(text: str) -> list[str]:
    """What the text is written in (``models/language.py``). Clients (Coral) send
    ``languages: ["en"]`` whatever the text; Raqib scores the text anyway and says what it found."""
    return [detect(text)]


_SENTENCE_END = re.compile(r"[.!?؟\n]+|،\s")


def spans(text: str) -> list[tuple[int, int]]:
    """Sentence-like spans ``(begin, end)`` in code points, as Perspective's span annotations."""
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if text[start:end].strip():
            out.append((start, end))
        start = end
    if text[start:].strip():
        out.append((start, len(text)))
    return out
