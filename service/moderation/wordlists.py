"""Word lists matched the Arabic way, with the classifier's normaliser on both sides.

A listed entry (a word or a phrase) and the text are normalised alike (``raqib.models.normalize``:
diacritics, tatweel, elongation, alef/ya/ta-marbuta folding, Arabizi through the same rules) and
cut into words, a run of one letter counted once on both sides. A listed word matches a word of
the text that is:
- the word itself;
- the word with attached clitics in front (``PREFIXES``: و ف ب ك ل ال وال بال لل…);
- for words of three letters or more, also one common suffix behind (``SUFFIXES``: ه ها هم ك ي
  نا ات ون ين…).
A phrase matches its words in a row (the first may carry clitics, the last a suffix). A listed
word never matches inside a longer unrelated word: «غبي» matches «والغبي» and «غبيه», not «غبيرة».
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from raqib.models.normalize import normalize

MAX_WORDS = 50_000
MAX_ENTRY_CHARS = 100
_WORD = re.compile(r"\w+")
# Attached in front (longest first): conjunctions, prepositions, the article and their combinations.
PREFIXES = tuple(
    sorted(
        {"و", "ف", "ب", "ك", "ل", "ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وب", "وك", "ول", "فب", "فل"},
        key=len,
        reverse=True,
    )
)
# Attached behind (after normalisation: ة is ه): pronouns, plural and dual endings, nisba.
SUFFIXES = tuple(
    sorted(
        {
            "ه",
            "ها",
            "هم",
            "هن",
            "هما",
            "كم",
            "كن",
            "ك",
            "ي",
            "نا",
            "ات",
            "ون",
            "ين",
            "ان",
            "يه",
            "يا",
            "وا",
            "تي",
            "هات",
        },
        key=len,
        reverse=True,
    )
)
MIN_STEM_FOR_SUFFIX = 3
_RUNS = re.compile(r"(.)\1+")


def words_of(text: str) -> list[str]:
    """The words of ``text`` after the classifier's normalisation."""
    return _WORD.findall(normalize(text))


def squeeze(word: str) -> str:
    """Runs of one letter as one: the normaliser keeps two of a stretched letter (``حماار``), the
    list has one; squeezing both sides makes every stretch the same word."""
    return _RUNS.sub(r"\1", word)


@dataclass(frozen=True)
class Entry:
    """One listed entry, as given and as the words it matches."""

    given: str
    words: tuple[str, ...]


class WordMatcher:
    """A word list prepared for matching; :meth:`find` returns the listed entries a text contains."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.single: dict[str, str] = {}
        self.phrases: dict[str, list[Entry]] = {}
        for given in entries:
            words = tuple(squeeze(w) for w in words_of(given))
            if len(words) == 1:
                self.single.setdefault(words[0], given)
            elif words:
                self.phrases.setdefault(words[0], []).append(Entry(given, words))

    def _stems(self, word: str, *, front: bool = True, back: bool = True) -> list[str]:
        """``word`` and what it is with one clitic run taken off the front and/or one suffix off the back."""
        fronts = [word] + (
            [word[len(p) :] for p in PREFIXES if front and word.startswith(p) and len(word) > len(p) + 1]
        )
        stems = []
        for stem in fronts:
            stems.append(stem)
            if back:
                for suffix in SUFFIXES:
                    base = stem[: -len(suffix)]
                    if stem.endswith(suffix) and len(base) >= MIN_STEM_FOR_SUFFIX:
                        stems.append(base)
        return stems

    def find(self, text: str) -> list[str]:
        """The listed entries found in ``text``, as they were listed, in order of first appearance."""
        words = [squeeze(w) for w in words_of(text)]
        found: dict[str, None] = {}
        for i, word in enumerate(words):
            for stem in self._stems(word):
                if stem in self.single:
                    found.setdefault(self.single[stem])
                for entry in self.phrases.get(stem, ()):
                    if self._phrase_at(words, i, entry.words):
                        found.setdefault(entry.given)
        return list(found)

    def _phrase_at(self, words: Sequence[str], start: int, phrase: Sequence[str]) -> bool:
        if start + len(phrase) > len(words):
            return False
        for offset in range(1, len(phrase)):
            word = words[start + offset]
            last = offset == len(phrase) - 1
            if phrase[offset] != word and not (last and phrase[offset] in self._stems(word, front=False)):
                return False
        return True


def check_words(words: Sequence[str]) -> list[str]:
    """Problems with a list to store (empty: fine): its size, empty or overlong entries."""
    problems = []
    if len(words) > MAX_WORDS:
        problems.append(f"words: at most {MAX_WORDS} entries, got {len(words)}")
    for i, word in enumerate(words):
        if not words_of(word):
            problems.append(f"words.{i}: has no letters after normalisation")
        elif len(word) > MAX_ENTRY_CHARS:
            problems.append(f"words.{i}: longer than {MAX_ENTRY_CHARS} characters")
        if len(problems) >= 10:
            break
    return problems
