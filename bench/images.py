"""Image analysis speed and memory on this machine, in one run, in a worker process pinned to one
core (``model_threads=1``, Tesseract with one thread): a photo's whole analysis (decode, PDQ of the
image and its 15 crops, preview, the image model, OCR, the text model on what OCR read) as p50 and
p90 seconds; the same without OCR; the image model alone, one image at a time and in batches; the
worker's peak resident memory with the text classifier and the image model loaded.

The photos are real (the samples scikit-learn and scikit-image ship, resized to ``--size``, JPEG
q85); every fourth carries a meme caption, so OCR has text to read.

    PYTHONPATH=. python bench/images.py [--images 24] [--size 1280x960] [--batch 8]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import time
from typing import Any

from PIL import ImageDraw, ImageFont
from raqib.service import classifier
from raqib.service.config import Config
from raqib.service.images import media
from raqib.service.images import ocr as tesseract
from raqib.service.images.analysis import ImageAnalyser, load_image_model
from raqib.service.images.model import OpenNsfw

from tests.imagegen import encode, sample_photos

GOALS = {"p50_s": 1.5, "model_per_s": 20.0, "rss_mib": 500.0}


def corpus(n: int, size: tuple[int, int]) -> list[bytes]:
    photos = list(sample_photos().values())
    font = ImageFont.load_default(size=size[1] // 11)
    out = []
    for i in range(n):
        picture = photos[i % len(photos)].resize(size)
        if i % 4 == 3:
            draw = ImageDraw.Draw(picture)
            for text, y in (("WHEN THE BOSS SAYS", 0.13), ("YOU ARE AN IDIOT", 0.87)):
                xy = (size[0] // 2, int(size[1] * y))
                draw.text(xy, text, font=font, fill="white", anchor="mm", stroke_width=5, stroke_fill="black")
        out.append(encode(picture, "JPEG", quality=85))
    return out


def timed(step: Any, items: list[Any]) -> list[float]:
    seconds = []
    for item in items:
        started = time.perf_counter()
        step(item)
        seconds.append(time.perf_counter() - started)
    return seconds


def worker(args: tuple[list[bytes], int]) -> dict[str, float]:
    """One worker process on one core, as ``raqib worker`` analyses images: the figures, and its
    peak memory after its analyses (before the bench holds every decoded image for the batches)."""
    work, batch = args
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    config = Config(model_threads=1)
    text_model = classifier.load(config)
    model = load_image_model(config)
    assert isinstance(model, OpenNsfw)
    analyser = ImageAnalyser(config, lambda: text_model, model)
    analyser.analyse(work[0])  # the first image builds the ONNX session
    whole = timed(analyser.analyse, work)
    without_ocr = timed(lambda d: analyser.analyse(d, ocr=False), work)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pictures = [media.decode(d, analyser.limits)[1] for d in work]
    alone = timed(model.predict, pictures)
    batches = [pictures[i : i + batch] for i in range(0, len(pictures), batch)]
    batched = sum(timed(model.predict_batch, batches))
    return {
        "p50_s": statistics.median(whole),
        "p90_s": statistics.quantiles(whole, n=10)[-1],
        "no_ocr_p50_s": statistics.median(without_ocr),
        "model_one_ms": statistics.median(alone) * 1000,
        "model_per_s": len(pictures) / batched,
        "rss_mib": rss,
        "text_model": float(text_model is not None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--size", default="1280x960")
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    work = corpus(args.images, (width, height))
    with mp.get_context("spawn").Pool(1) as pool:
        r = pool.map(worker, [(work, args.batch)])[0]
    print(f"{args.size} JPEG photos, {args.images} (every 4th a meme), one worker process on one core")
    print(f"OCR: {tesseract.available()}; text model loaded: {bool(r['text_model'])}; load average {os.getloadavg()}")
    print(
        f"whole analysis (decode, PDQ + 15 crops, preview, image model, OCR, text model): "
        f"p50 {r['p50_s']:.2f} s, p90 {r['p90_s']:.2f} s   (goal: p50 <= {GOALS['p50_s']} s)"
    )
    print(f"the same without OCR:                               p50 {r['no_ocr_p50_s']:.3f} s")
    print(f"image model alone, one image (preprocessing included): {r['model_one_ms']:.1f} ms")
    print(
        f"image model alone, batches of {args.batch}:  {r['model_per_s']:.1f} images/s   "
        f"(goal: >= {GOALS['model_per_s']:.0f})"
    )
    print(
        f"worker peak RSS, both models loaded: {r['rss_mib']:.0f} MiB   (goal: <= {GOALS['rss_mib']:.0f}; "
        "Tesseract runs as a separate process of ~40 MiB)"
    )


if __name__ == "__main__":
    main()
