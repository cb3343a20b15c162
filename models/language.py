"""The language a comment is written in, as ISO 639-1: ``ar`` (Arabic script or Arabizi), ``fr``
or ``en``. A few regular expressions, no model: the classifier picks its thresholds by it and the
Perspective route answers it as ``languages``. On dev.csv 97.8 % of rows get the language their source
annotated (``tests/test_language.py`` holds the rules)."""

from __future__ import annotations

import re

from .normalize import ARABIC_LETTER, LATIN_LETTER

LANGUAGES = ("ar", "fr", "en")
# The ``dialect`` column's names for them (shared/data's README).
BY_NAME = {"arabic": "ar", "french": "fr", "english": "en"}

# Arabizi: a digit standing for a letter Latin lacks (3 ع, 7 ح, 9 ق, 2 ء, 5 خ) between letters,
# or leading a word; English's "2nite" and "4ever" lead with digits Arabizi does not use as letters.
_ARABIZI = re.compile(r"(?i)\b[a-z]+[23579][a-z]*\b|\b[379][a-z]{2,}\b")
_FRENCH = re.compile(
    r"(?i)\b(le|la|les|des|est|et|une?|pas|je|tu|vous|nous|c'est|qui|que|pour|avec|très|mon|ma|mes|ton|tes"
    r"|il|elle|ils|du|au|aux|dans|ça|merci|putain)\b"
    r"|\b[cdjlmnst]['’](?=[a-zàâéèêëîïôûùç])"  # elisions: c'est, d'avoir, t'es, l'université
)


# Not the writer's words: mentions, links, HTML entities, a retweet's RT, the data's placeholders.
_NOT_WORDS = re.compile(r"@\w+|(?i:https?://|www\.)\S+|&#?\w+;|\bRT\b|\bURL\b")


def detect(text: str) -> str:
    """``ar`` when Arabic letters are as many as Latin ones or an Arabizi word appears, ``fr`` when a
    French function word or elision does, else ``en``; mentions and links do not count."""
    text = _NOT_WORDS.sub(" ", text)
    arabic, latin = len(ARABIC_LETTER.findall(text)), len(LATIN_LETTER.findall(text))
    if arabic and arabic >= latin:
        return "ar"
    if _ARABIZI.search(text):
        return "ar"
    if _FRENCH.search(text):
        return "fr"
    return "en"
