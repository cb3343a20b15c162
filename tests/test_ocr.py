"""Text in images with the real Tesseract: a caption over a busy photo is read, a photo without
text yields no text (its texture is not turned into words), and the word filter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from raqib.service.images import ocr

from .conftest import skip_requested
from .imagegen import arabic_meme, sample_photos

pytestmark = pytest.mark.skipif(skip_requested("ocr") or not ocr.available(), reason="no Tesseract")
NASKH = Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf")


def caption(background: Image.Image, top: str, bottom: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    """A meme: white text with a black outline over a 1280 x 960 copy of ``background``."""
    img = background.convert("RGB").resize((1280, 960))
    draw = ImageDraw.Draw(img)
    for text, y in ((top, 130), (bottom, 830)):
        draw.text((640, y), text, font=font, fill="white", anchor="mm", stroke_width=5, stroke_fill="black")
    return img


def noise() -> Image.Image:
    return Image.fromarray(np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8))


@pytest.fixture(scope="module")
def photos() -> dict[str, Image.Image]:
    return sample_photos()


def test_a_photo_without_text_yields_no_text(photos: dict[str, Image.Image]) -> None:
    # (astronaut.png is left out: its model shuttle's wing carries real lettering, read as "SAD")
    for name in ("china.jpg", "flower.jpg", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png"):
        if name in photos:
            assert ocr.read(photos[name].resize((1280, 960))) == "", name
    assert ocr.read(noise()) == ""


@pytest.mark.parametrize("background", ["china.jpg", "flower.jpg", "noise"])
def test_a_caption_over_a_busy_photo_is_read(photos: dict[str, Image.Image], background: str) -> None:
    picture = noise() if background == "noise" else photos[background]
    meme = caption(picture, "WHEN THE BOSS SAYS", "YOU ARE AN IDIOT", ImageFont.load_default(size=90))
    words = ocr.read(meme).split()
    assert {"WHEN", "YOU", "ARE", "IDIOT"} <= set(words), words
    assert all(w.isalpha() and w.isupper() for w in words), words  # nothing of the photo


@pytest.mark.skipif(not NASKH.is_file(), reason="Noto Naskh Arabic is not installed")
@pytest.mark.parametrize("background", ["china.jpg", "flower.jpg", "noise"])
def test_an_arabic_caption_over_a_busy_photo_is_read(photos: dict[str, Image.Image], background: str) -> None:
    picture = noise() if background == "noise" else photos[background]
    font = ImageFont.truetype(str(NASKH), 90, layout_engine=ImageFont.Layout.RAQM)
    words = ocr.read(caption(picture, "يا حمار يا كلب", "اسكت يا غبي", font)).replace("ى", "ي").split()
    assert {"اسكت", "غبي"} <= set(words), words  # (final ى for ي: the text model normalises it)
    assert any(w in ("كلب", "حمار") or w.startswith("حمار") for w in words), words  # the top line
    assert all(ocr.ARABIC_LETTER.search(w) for w in words), words  # nothing of the photo


def test_dark_text_on_white_is_read_too(photos: dict[str, Image.Image]) -> None:
    """The other meme format (black text on a white band over the photo) and a screenshot."""
    band = Image.new("RGB", (1000, 900), "white")
    band.paste(photos["chelsea.png"].resize((1000, 700)), (0, 200))
    draw = ImageDraw.Draw(band)
    draw.text((500, 100), "NOBODY ASKED YOU, STUPID", font=ImageFont.load_default(size=60), fill="black", anchor="mm")
    assert ocr.read(band).split() == ["NOBODY", "ASKED", "YOU", "STUPID"]
    shot = Image.new("RGB", (1000, 300), "white")
    small = ImageFont.load_default(size=28)
    ImageDraw.Draw(shot).text((40, 120), "This journalist is a liar", font=small, fill="black")
    assert {"journalist", "liar"} <= set(ocr.read(shot).split())


def test_the_committed_meme_is_read_whole() -> None:
    import io

    assert ocr.read(Image.open(io.BytesIO(arabic_meme()))).split()[-3:] == ["اسكت", "يا", "غبي"]


@pytest.mark.parametrize(
    ("text", "confidence", "kept"),
    [
        ("كلب", 92, True),
        ("يا", 95, True),
        ("يا", 60, False),  # short and unsure: texture yields many
        ("IDIOT", 96, True),
        ("Boss", 70, True),
        ("fal", 65, False),
        ("NG", 90, False),  # no vowel
        ("iHIE", 90, False),  # no case pattern of a word
        ("0777#", 90, False),
        ("1١", 90, False),
        ("كلبa", 90, False),  # mixed scripts
    ],
)
def test_strings_that_are_not_words_are_dropped(text: str, confidence: float, kept: bool) -> None:
    assert ocr.is_word(text, confidence) is kept
