"""Arabic text normalisation shared by training and serving.

One function, :func:`normalize`, runs before the tokenizer everywhere (training, evaluation, the
service), so that a model never sees text prepared differently from the text it was trained on.
Each rule is a small function below, applied in the order of ``RULES``; each says why it exists.

Version 3 changes least: it is for models whose vocabulary was pre-trained on raw multilingual
text (see ``RULES_PRETRAINED``). Version 2 (the default for models trained here) respects scripts:
a Latin-script word (Arabizi, French) stays Latin — lower-cased, accents folded, elongation
squeezed, its digits kept as its letters — where version 1 turned Arabizi digits into Arabic
letters inside Latin words (``3lach`` → ``علach``), a mix no tokenizer has seen. An artifact
names the version it was trained with (``raqib.json``: ``"normalize": 2``; ``true`` is version
1), and inference applies that one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

USER_TOKEN = "[user]"
URL_TOKEN = "[url]"
SPECIAL_TOKENS = (USER_TOKEN, URL_TOKEN)

# Harakat (fathatan … sukun), maddah/hamza above and below, small marks, superscript alef and the
# Quranic annotation signs: they change pronunciation, rarely meaning, and most writers omit them.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_LETTER_FOLDS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0649": "\u064a",  # ى -> ي
        "\u0629": "\u0647",  # ة -> ه
        "\u06cc": "\u064a",  # Persian ye -> ي
        "\u06a9": "\u0643",  # Persian keheh -> ك
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Arabizi (Arabic written in Latin script) uses digits for letters Latin lacks.
_ARABIZI = str.maketrans({"2": "\u0621", "3": "\u0639", "5": "\u062e", "7": "\u062d", "9": "\u0642"})
LATIN_WORD = re.compile(r"\b(?=[a-z0-9']*[a-z])[a-z0-9']+\b")  # after lower-casing; Arabizi digits included
ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
_ARABIZI_DIGIT = re.compile(r"(?<=[a-z'])[23579]|[23579](?=[a-z'])")
_ACCENTED = re.compile("[\u00c0-\u024f]+")
_URL = re.compile(r"(?i:https?://|www\.)\S+|\bURL\b")
_USER = re.compile(r"@USER\b|@\w+")
_LINE_BREAK = re.compile(r"<LF>|[\r\n\t]+")
_RETWEET = re.compile(r"^\s*RT\b:?\s*")
_HASHTAG = re.compile(r"#(\w+)")
_ELONGATION = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")
# Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# An override's run: from LRO or RLO to its PDF, or to the end of the line.
_OVERRIDE_RUN = re.compile("([\u202d\u202e])([^\u202a-\u202e\n]*)(?:\u202c|(?=\n)|$)")


def _placeholders(text: str) -> str:
    """Fold links and mentions to one token each (datasets differ: ``URL``, real links, ``@name``),
    and treat the ``<LF>`` line-break placeholder as white space."""
    text = _LINE_BREAK.sub(" ", text)
    text = _URL.sub(f" {URL_TOKEN} ", text)
    text = _USER.sub(f" {USER_TOKEN} ", text)
    return _RETWEET.sub("", text)


def _bidi(text: str) -> str:
    """Read text in the order readers see it and drop the bidirectional controls. Under a
    right-to-left override (RLO) a run is laid out back to front, so abuse stored reversed and
    wrapped in U+202E displays as written while the model would read it backwards; under a
    left-to-right override the same holds for Arabic letters. Embeddings and isolates only move
    runs around on screen: they are dropped."""
    if not _BIDI_CONTROLS.search(text):
        return text

    def displayed(match: re.Match[str]) -> str:
        run = match.group(2)
        right_to_left = match.group(1) == "\u202e"
        arabic = len(ARABIC_LETTER.findall(run)) > len(LATIN_LETTER.findall(run))
        return run[::-1] if right_to_left != arabic else run

    return _BIDI_CONTROLS.sub("", _OVERRIDE_RUN.sub(displayed, text))


def _unicode(text: str) -> str:
    """NFKC turns Arabic presentation forms (ﻻ, ﺍ …) and full-width Latin into ordinary letters."""
    return unicodedata.normalize("NFKC", text)


def _strip_marks(text: str) -> str:
    """Remove diacritics and tatweel (ـ), which stretch or vocalise words without changing them."""
    return _DIACRITICS.sub("", text).replace(_TATWEEL, "")


def _strip_tatweel(text: str) -> str:
    """Remove tatweel (ـ) alone: it stretches a word on screen and no tokenizer has a piece for it."""
    return text.replace(_TATWEEL, "")


def _fold_letters(text: str) -> str:
    """Fold alef with hamza or madda to bare alef, alef maqsura to ya, ta marbuta to ha: writers
    use them interchangeably, especially in dialect."""
    return text.translate(_LETTER_FOLDS)


def _digits_and_case(text: str) -> str:
    """Eastern Arabic digits become ASCII and Latin letters lower case; Latin-script words keep
    their digits (``3lach``, ``7mar``: in Arabizi a digit is a letter of the word)."""
    return text.translate(_DIGITS).lower()


def _fold_accents(text: str) -> str:
    """Accented Latin letters lose their accents (``très`` → ``tres``, ``ça`` → ``ca``): writers of
    French and Arabizi drop or keep them at will. Arabic letters are never decomposed here."""
    return _ACCENTED.sub(_unaccent, text)


def _unaccent(match: re.Match[str]) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", match.group(0)) if not unicodedata.combining(c))


def _digits_and_arabizi(text: str) -> str:
    """Eastern Arabic digits become ASCII; then, in Latin-script words only, the Arabizi digits
    2 3 5 7 9 that touch a letter become ء ع خ ح ق (``3lach`` → ``علach``); numbers stay."""
    text = text.translate(_DIGITS).lower()
    return LATIN_WORD.sub(lambda m: _ARABIZI_DIGIT.sub(_arabizi_letter, m.group(0)), text)


def _arabizi_letter(match: re.Match[str]) -> str:
    return match.group(0).translate(_ARABIZI)


def _hashtags(text: str) -> str:
    """``#صدارة_بس`` → ``صدارة بس``: hashtags carry words, and their words carry meaning."""
    return _HASHTAG.sub(lambda m: " " + m.group(1).replace("_", " ") + " ", text)


def _elongation(text: str) -> str:
    """Runs of three or more of one character (``جداااا``, ``هههههه``, ``😂😂😂😂``) shrink to two,
    which keeps the emphasis as a signal but makes every length of it the same word."""
    return _ELONGATION.sub(r"\1\1", text)


def _isolate_symbols(text: str) -> str:
    """Emoji and other pictographs are kept, each as a word of its own, so that ``زمالك⚪🔴``
    tokenizes as the word plus two symbols instead of an unseen word."""
    out: list[str] = []
    for ch in text:
        if unicodedata.category(ch) == "So":
            out.append(f" {ch} ")
        elif ch in "\u200d\ufe0f\u200c\u200e\u200f":  # joiners, variation selectors, direction marks
            continue
        else:
            out.append(ch)
    return "".join(out)


def _spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


RULES: tuple[Callable[[str], str], ...] = (
    _bidi,
    _placeholders,
    _unicode,
    _strip_marks,
    _fold_letters,
    _digits_and_case,
    _fold_accents,
    _hashtags,
    _elongation,
    _isolate_symbols,
    _spaces,
)
RULES_V1: tuple[Callable[[str], str], ...] = (
    _bidi,
    _placeholders,
    _unicode,
    _strip_marks,
    _fold_letters,
    _digits_and_arabizi,
    _hashtags,
    _elongation,
    _isolate_symbols,
    _spaces,
)
# Version 3, for a pre-trained multilingual vocabulary (XLM-R's, in multilingual-e5): that tokenizer
# has seen Arabic with its hamzas, ta marbuta and diacritics, French with its accents and case, so
# only what no pre-training text looks like is changed (placeholders, presentation forms, tatweel,
# elongation, hashtags, invisible marks, spacing).
RULES_PRETRAINED: tuple[Callable[[str], str], ...] = (
    _bidi,
    _placeholders,
    _unicode,
    _strip_tatweel,
    _hashtags,
    _elongation,
    _isolate_symbols,
    _spaces,
)
VERSION = 2
PRETRAINED_VOCAB_VERSION = 3
_VERSIONS = {1: RULES_V1, 2: RULES, 3: RULES_PRETRAINED}


def normalize(text: str, version: int = VERSION) -> str:
    """Return the canonical form of ``text`` that the tokenizer and model expect (``version`` 1
    for artifacts trained before scripts were respected)."""
    for rule in _VERSIONS[version]:
        text = rule(text)
    return text


def is_latin_script(text: str) -> bool:
    """A text written mostly in Latin letters (Arabizi, French, English) rather than Arabic ones."""
    return len(LATIN_LETTER.findall(text)) > len(ARABIC_LETTER.findall(text))


def version_of(setting: object) -> int | None:
    """The normaliser an artifact's ``raqib.json`` asks for: ``true`` (the first format) is version
    1, a number is that version, ``false`` or nothing means raw text."""
    if setting is None or setting is False:
        return None
    if setting is True:
        return 1
    if isinstance(setting, int) and setting in _VERSIONS:
        return setting
    raise ValueError(f"unknown normaliser {setting!r} (known: true, {', '.join(map(str, _VERSIONS))})")
