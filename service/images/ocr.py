"""Text in images, read by Tesseract so that captions are read and a photo's texture is not.

Two passes over a copy at most ``SIDE`` pixels a side (meme captions are large; Tesseract misreads
glyphs over ~50 pixels tall, and its time grows with the pixels):

- the grey image, page segmentation 11 (sparse text: dark text, scattered words);
- a mask of the near-white, unsaturated pixels (a meme's white, outlined caption) as black on
  white, page segmentation 6 (one block: a caption over a busy photo, which psm 11 loses in the
  texture); skipped when the mask is all but empty (no white caption: ~0.2 s saved).

Each word comes with Tesseract's confidence (TSV output). A word is kept when its confidence
reaches the minimum and it looks like a word of the OCR languages (:func:`is_word`); the pass that
read more is kept, with the words only the other one read. A photo's texture
gives short, low-confidence, vowel-less or mixed-script strings, which are all dropped.
No Redis or Flask here.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

SIDE = 720
ENLARGE_BELOW = 500  # Tesseract reads small text better when enlarged
WHITE_MIN = 200  # a mask pixel: every channel at least this ...
WHITE_SPREAD = 40  # ... and channels this close (white or light grey, not a bright colour)
MIN_INK = 0.001  # a mask with fewer of its pixels set holds no caption: its pass is skipped
SHORT_CONFIDENCE = 85  # words of two or three letters need this confidence (texture yields many)
ARABIC_LETTER = re.compile(r"[\u0621-\u063A\u0641-\u064A\u0671-\u06D3]")
ARABIC_WORD = re.compile(r"^[\u0621-\u063A\u0640-\u0652\u0670-\u06D3]+$")  # letters, tatweel, harakat
LATIN_WORD = re.compile(r"^(?:[A-Z][a-z]+|[A-Z]+|[a-z]+)(?:['’-](?:[A-Za-z]+))?$")
LATIN_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿ")
EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}.,;:!?؟،؛…-—*#|/\\"


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, width, height


def available() -> bool:
    return shutil.which("tesseract") is not None


def is_word(text: str, confidence: float) -> bool:
    """Whether a string read looks like a word of Arabic or a Latin-script language: Arabic letters
    only, or Latin letters in one case pattern (``word``, ``Word``, ``WORD``) with a vowel; two
    letters or more, and short words read with high confidence. Digits alone are dropped."""
    if len(text) < 2 or (len(text) <= 3 and confidence < SHORT_CONFIDENCE):
        return False
    if ARABIC_WORD.match(text):
        return ARABIC_LETTER.search(text) is not None
    if LATIN_WORD.match(text):
        return any(c in LATIN_VOWELS for c in text.lower())
    return False


def white_mask(image: Image.Image) -> Image.Image:
    """Near-white, unsaturated pixels as black on white: a meme caption without the photo."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    low, high = pixels.min(axis=2), pixels.max(axis=2)
    text = (low >= WHITE_MIN) & (high - low < WHITE_SPREAD)
    return Image.fromarray(np.where(text, 0, 255).astype(np.uint8))


def tesseract_words(image: Image.Image, languages: str, psm: int, timeout_s: float) -> list[Word]:
    """Every word Tesseract reads in ``image`` with its confidence (TSV); a PNG on stdin."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", languages, "--psm", str(psm), "tsv"],
        input=buffer.getvalue(),
        capture_output=True,
        timeout=timeout_s,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one core per image: the worker runs many
    )
    words = []
    for row in result.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != 12 or not cells[11].strip() or float(cells[10]) < 0:
            continue
        left, top, width, height = (int(c) for c in cells[6:10])
        words.append(Word(cells[11].strip(), float(cells[10]), (left, top, width, height)))
    return words


def keep(words: list[Word], min_confidence: float) -> list[Word]:
    """The words that pass the confidence and word checks, their edge punctuation removed."""
    kept = []
    for word in words:
        text = word.text.strip(EDGE_PUNCTUATION)
        if word.confidence >= min_confidence and is_word(text, word.confidence):
            kept.append(Word(text, word.confidence, word.box))
    return kept


def merge(passes: list[list[Word]]) -> list[Word]:
    """The pass that read the most (letters weighted by confidence), then the words only another
    pass read. (Tesseract's boxes of Arabic words are too loose to match words by place.)"""
    ranked = sorted(passes, key=lambda p: -sum(len(w.text) * w.confidence for w in p))
    merged = list(ranked[0]) if ranked else []
    seen = Counter(w.text for w in merged)
    for other in ranked[1:]:
        for word in other:
            if seen[word.text] > 0:
                seen[word.text] -= 1
            else:
                merged.append(word)
        seen = Counter(w.text for w in merged)
    return merged


def prepare(image: Image.Image) -> Image.Image:
    """The copy Tesseract reads: at most ``SIDE`` a side, small images enlarged."""
    if max(image.size) > SIDE:
        small = image.copy()
        small.thumbnail((SIDE, SIDE), Image.Resampling.BICUBIC)
        return small
    if max(image.size) < ENLARGE_BELOW:
        return image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    return image


def read(image: Image.Image, languages: str = "ara+eng", timeout_s: float = 20.0, min_confidence: float = 60) -> str:
    """The words read in the image ('' if none), both passes within ``timeout_s`` in all."""
    shown = prepare(image.convert("RGB"))
    deadline = time.monotonic() + timeout_s
    mask = white_mask(shown)
    pictures = [(ImageOps.grayscale(shown), 11)]
    if np.count_nonzero(np.asarray(mask) == 0) >= MIN_INK * mask.width * mask.height:
        pictures.append((mask, 6))
    passes = []
    for picture, psm in pictures:
        left = max(0.1, deadline - time.monotonic())
        passes.append(keep(tesseract_words(picture, languages, psm, left), min_confidence))
    return " ".join(w.text for w in merge(passes))
