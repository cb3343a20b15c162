"""A seeded generator of the edits people make when they repost a removed comment, to measure the
bank (``bench/text_bank.py``) and to test each kind of near-copy (``tests/test_texts.py``)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

EMOJI = ["😂", "😡", "🤬", "👎", "🔥", "💯", "😏", "🙄"]
DIACRITICS = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b"]
LETTER_VARIANTS = {"ا": "أ", "ي": "ى", "ه": "ة", "أ": "ا", "إ": "ا", "ى": "ي", "ة": "ه"}
ARABIZI_EASTERN = str.maketrans("2379", "٢٣٧٩")
FILLER = ["والله", "صراحة", "يعني", "فعلا", "hadchi", "wallah", "بصح", "زعما"]


def _words(text: str) -> list[str]:
    return text.split()


def add_emoji(text: str, rng: random.Random) -> str:
    words = _words(text)
    for _ in range(rng.randint(1, 3)):
        words.insert(rng.randint(0, len(words)), rng.choice(EMOJI) * rng.randint(1, 3))
    return " ".join(words)


def add_punctuation(text: str, rng: random.Random) -> str:
    marks = ["!!", "...", "؟", "،", " .", "!!!", "?!"]
    words = _words(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(words))
        words[i] += rng.choice(marks)
    return "  ".join(words) if rng.random() < 0.5 else " ".join(words)


def elongate(text: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    i = rng.choice(letters)
    return text[: i + 1] + text[i] * rng.randint(2, 5) + text[i + 1 :]


def add_diacritics(text: str, rng: random.Random) -> str:
    return "".join(
        ch + (rng.choice(DIACRITICS) if "\u0600" <= ch <= "\u06ff" and rng.random() < 0.3 else "") for ch in text
    )


def add_tatweel(text: str, rng: random.Random) -> str:
    return re.sub(
        r"([\u0628-\u064a])(?=[\u0628-\u064a])", lambda m: m.group(1) + ("ـ" if rng.random() < 0.2 else ""), text
    )


def letter_variants(text: str, rng: random.Random) -> str:
    return "".join(LETTER_VARIANTS[ch] if ch in LETTER_VARIANTS and rng.random() < 0.5 else ch for ch in text)


def replace_a_word(text: str, rng: random.Random) -> str:
    """One word in ten (at least one) replaced."""
    words = _words(text)
    for i in rng.sample(range(len(words)), max(1, len(words) // 10)):
        words[i] = rng.choice(FILLER)
    return " ".join(words)


def reorder(text: str, rng: random.Random) -> str:
    """Two neighbouring words swapped."""
    words = _words(text)
    if len(words) > 2:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def arabizi_digits(text: str, rng: random.Random) -> str:
    """Arabizi's letter digits typed as Eastern Arabic numerals (٣ for 3, ٧ for 7)."""
    return text.translate(ARABIZI_EASTERN)


EDITS: dict[str, Callable[[str, random.Random], str]] = {
    "emoji": add_emoji,
    "punctuation": add_punctuation,
    "elongation": elongate,
    "diacritics": add_diacritics,
    "tatweel": add_tatweel,
    "letter_variants": letter_variants,
    "word_replaced": replace_a_word,
    "reordered": reorder,
    "arabizi_digits": arabizi_digits,
}


def near_copy(text: str, rng: random.Random, kinds: Sequence[str] | None = None) -> tuple[str, list[str]]:
    """``text`` with one to three edits (``kinds`` to choose them), and which they were."""
    chosen = list(kinds) if kinds else rng.sample(sorted(EDITS), rng.randint(1, 3))
    for kind in chosen:
        text = EDITS[kind](text, rng)
    return text, chosen
