"""Image analysis speed and memory on this machine, in one run: images per second for PDQ hashing
alone, for the worker's analysis without OCR (decode, PDQ of the image and its 15 crops, preview)
and with Tesseract OCR, with one worker process and with one per core; and the resident memory of
a worker process (text classifier loaded) after its images.

    python bench/images.py [--images 200] [--size 1280x960] [--processes 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

from raqib.service import images
from raqib.service.classifier import load
from raqib.service.config import Config
from raqib.service.images.analysis import ImageAnalyser

from tests.imagegen import arabic_meme, encode, scene


def corpus(n: int, size: tuple[int, int]) -> list[bytes]:
    return [encode(scene(seed, size), "JPEG", quality=85) for seed in range(n)]


def rate(work: list[bytes], step: object) -> float:
    started = time.perf_counter()
    for data in work:
        step(data)  # type: ignore[operator]
    return len(work) / (time.perf_counter() - started)


def worker(args: tuple[int, tuple[int, int], bool]) -> tuple[float, float]:
    """One worker process: its analysis rate (images/s) and peak resident memory (MiB)."""
    n, size, ocr = args
    config = Config(ocr=ocr, model_threads=1)
    analyser = ImageAnalyser(config, load(config), None)
    work = corpus(n, size)
    per_s = rate(work, lambda d: analyser.analyse(d))
    return per_s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--size", default="1280x960")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    assert len(size) == 2
    work = corpus(args.images, (size[0], size[1]))
    limits = images.ImageLimits()
    decoded = [images.decode(d, limits)[1] for d in work[:50]]

    started = time.perf_counter()
    for picture in decoded:
        images.pdq(picture)
    pdq_only = len(decoded) / (time.perf_counter() - started)
    print(f"{args.size} JPEG images, {args.images} per run, OCR: {images.ocr_available()}")
    print(f"PDQ hash of a decoded image:                  {pdq_only:8.1f} images/s (1 process)")
    decode_pdq = rate(work, lambda d: images.pdq(images.decode(d, limits)[1]))
    print(f"decode + PDQ (no crops, no preview):          {decode_pdq:8.1f} images/s")

    with mp.get_context("spawn").Pool(1) as pool:
        one, rss = pool.map(worker, [(args.images, size, False)])[0]
    print(f"worker analysis without OCR, 1 process:      {one:8.1f} images/s, peak RSS {rss:.0f} MiB")
    with mp.get_context("spawn").Pool(args.processes) as pool:
        results = pool.map(worker, [(args.images, size, False)] * args.processes)
    total = sum(r[0] for r in results)
    print(
        f"worker analysis without OCR, {args.processes} processes:    {total:8.1f} images/s in all "
        f"({total / one:.2f}x one process), peak RSS {max(r[1] for r in results):.0f} MiB each"
    )
    if images.ocr_available():
        memes = [arabic_meme()] * 20
        analyser = ImageAnalyser(Config(model_threads=1), None, None)
        with_ocr = rate(memes, lambda d: analyser.analyse(d))
        print(f"worker analysis with OCR (Arabic meme):       {with_ocr:8.1f} images/s")


if __name__ == "__main__":
    main()
