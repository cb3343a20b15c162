"""Synthetic test images: photo-like scenes (gradients, shapes, blur) that PDQ hashes with full
quality, and the edits a re-uploader makes."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

FIXTURES = Path(__file__).parent / "fixtures"


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    img = Image.fromarray(np.stack([x / w * 255, y / h * 255, (x + y) / (w + h) * 255], -1).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        cx, cy, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(20, 120))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    for _ in range(8):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        box = (x0, y0, x0 + int(rng.integers(20, 200)), y0 + int(rng.integers(20, 150)))
        draw.rectangle(box, fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return img.filter(ImageFilter.GaussianBlur(1))


def encode(img: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **options)
    return out.getvalue()


def reuploads(img: Image.Image) -> dict[str, bytes]:
    """How a removed image comes back: resized, re-encoded as a poorer JPEG, lightly cropped."""
    w, h = img.size
    dx, dy = w // 25, h // 25  # 4% off each side
    return {
        "resized": encode(img.resize((w // 2, h // 2)), "PNG"),
        "jpeg_q30": encode(img, "JPEG", quality=30),
        "cropped": encode(img.crop((dx, dy, w - dx, h - dy)), "JPEG", quality=85),
        "all_three": encode(img.crop((dx, 0, w, h - dy)).resize((w * 2 // 3, h * 2 // 3)), "JPEG", quality=40),
    }


def arabic_meme() -> bytes:
    """A PNG with «يا حمار يا كلب / اسكت يا غبي» set in Noto Naskh Arabic (rendered once, committed)."""
    return (FIXTURES / "arabic_meme.png").read_bytes()


SKLEARN_PHOTOS = ("china.jpg", "flower.jpg")
# scikit-image's sample photographs: a portrait, a cat, food, a street, a horse, the Moon...
SKIMAGE_PHOTOS = (
    "astronaut.png",
    "camera.png",
    "chelsea.png",
    "coffee.png",
    "rocket.jpg",
    "motorcycle_left.png",
    "horse.png",
    "coins.png",
    "grass.png",
    "gravel.png",
    "brick.png",
    "moon.png",
    "hubble_deep_field.jpg",
    "retina.jpg",
)


def sample_photos() -> dict[str, Image.Image]:
    """Real benign photographs shipped by scikit-learn (and scikit-image when installed), as RGB."""
    import importlib.util

    found = {}
    for package, folder, names in (
        ("sklearn", "datasets/images", SKLEARN_PHOTOS),
        ("skimage", "data", SKIMAGE_PHOTOS),
    ):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations))) / folder
        for name in names:
            if (root / name).is_file():
                with Image.open(root / name) as photo:
                    found[name] = photo.convert("RGB")
    return found
