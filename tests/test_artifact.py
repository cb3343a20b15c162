"""The committed artifact: what the service loads by default."""

from __future__ import annotations

import json

import numpy as np
import pytest
from raqib.models.inference import META_FILE, Classifier, load_classifier
from raqib.models.onnx import INT8_TOLERANCE, ONNX_FILE
from raqib.models.paths import BUNDLED
from raqib.models.training.data import CATEGORIES

pytestmark = pytest.mark.skipif(not (BUNDLED / "config.json").exists(), reason="no bundled artifact yet")

ABUSIVE = [
    "يا حمار يا كلب يا ابن الكلب",  # MSA/Levantine insults
    "الله ياخذك يا حيوان يا وسخ",  # Gulf
    "سير تقود يا الحمار الله يلعن بوك",  # Darija
    "انت واحد حقير وزبالة",  # Egyptian
]
FRIENDLY = [
    "شكرا على هذا المقال الرائع",
    "الله يعطيك الصحة على هاد المعلومات",  # Darija
    "مبروك للفريق على الفوز المستحق",
    "ربي يحفظك ويخليك لأهلك",
]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classifier()


def test_files_and_size() -> None:
    names = {p.name for p in BUNDLED.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", META_FILE, ONNX_FILE, "README.md"} <= names
    assert sum(p.stat().st_size for p in BUNDLED.iterdir()) <= 90 * 1000 * 1000  # issue 42: three languages
    meta = json.loads((BUNDLED / META_FILE).read_text(encoding="utf-8"))
    assert set(meta["thresholds"]) == set(CATEGORIES)


def test_loads_by_default_with_the_fast_path(classifier: Classifier) -> None:
    assert classifier.backend == "onnx"
    assert classifier.categories == CATEGORIES


def test_onnx_agrees_with_torch(classifier: Classifier) -> None:
    """The 8-layer e5 encoder moves further under int8 than the small models did: on 1,500 dev rows
    (v6) the served scores differ from fp32's by 0.026 on average for offensive and 0.017 for hate,
    0.13–0.14 at the 99th percentile (v5: 0.032, 0.015; 0.16, 0.12), 0.105 at most on these texts.
    Its thresholds are calibrated on the int8 scores it serves, so the shift costs no decision."""
    reference = load_classifier(BUNDLED, backend="torch")
    texts = ABUSIVE + FRIENDLY
    difference = np.abs(classifier.predict_scores(texts) - reference.predict_scores(texts))
    assert difference.mean() <= INT8_TOLERANCE / 2 and difference.max() <= 3 * INT8_TOLERANCE


def test_a_comments_score_is_its_own(classifier: Classifier) -> None:
    """Not moved by the comments scored with it (int8 activations are quantized per run)."""
    texts = [*ABUSIVE, *FRIENDLY, "شكرا " * 120]
    alone = np.vstack([classifier.predict_scores([t]) for t in texts])
    np.testing.assert_array_equal(classifier.predict_scores(texts), alone)
    np.testing.assert_array_equal(classifier.predict_scores(texts[::-1]), alone[::-1])


def test_abuse_outranks_friendliness(classifier: Classifier) -> None:
    offensive = classifier.predict_scores(ABUSIVE + FRIENDLY)[:, CATEGORIES.index("offensive")]
    assert offensive[: len(ABUSIVE)].min() > offensive[len(ABUSIVE) :].max()


ARABIZI_ABUSE = ["3lach nta 7mar, sir t9awed a wld l97ba", "nta wa7ed l7mar"]
THANKS = [
    "شكرا جزيلا على هذا المقال المفيد",  # MSA
    "merci bzaf 3la had l'article, tbarkellah 3likom",  # Arabizi with French
    "tbarkellah 3lik a khouya, bravo",  # Arabizi
    "Très bon article, merci beaucoup",  # French
]


def test_the_bundled_model_reads_its_normaliser_version(classifier: Classifier) -> None:
    assert classifier.normalizer == 3  # the pre-trained vocabulary's: hamzas and case kept
    assert classifier.ngram_half is not None and classifier.ngram_half.normalizer == 2  # the n-grams fold them


def test_arabizi_abuse_is_flagged(classifier: Classifier) -> None:
    """The plain «nta wa7ed l7mar» scores 0.45-0.46 in v6.1, v12 and v13, at the Arabic threshold
    that each export calibrates anew (0.43-0.45): it must outrank every thanks, in any script; the
    longer insult must be flagged."""
    results = classifier.predict(ARABIZI_ABUSE + THANKS)
    assert "offensive" in results[0]["flagged"], results[0]
    offensive = [r["scores"]["offensive"] for r in results]
    assert min(offensive[: len(ARABIZI_ABUSE)]) > max(offensive[len(ARABIZI_ABUSE) :])


def test_thanks_in_any_script_are_not_spam(classifier: Classifier) -> None:
    """The first model flagged polite Latin-script comments as spam: its only Latin spam-labelled
    rows were spam. None of these may be flagged spam, nor held (offensive >= 0.9)."""
    for text, result in zip(THANKS, classifier.predict(THANKS), strict=True):
        assert "spam" not in result["flagged"], (text, result)
        assert result["scores"]["offensive"] < 0.9, (text, result)


def test_abuse_stored_under_a_right_to_left_override_scores_as_displayed(classifier: Classifier) -> None:
    """Stored reversed inside U+202E … U+202C, Latin-script abuse displays as written: scored as the
    reader sees it, not backwards (it scored 0.25 instead of 0.95 before the normaliser read it)."""
    for text in ARABIZI_ABUSE:
        hidden = "\u202e" + text[::-1] + "\u202c"
        np.testing.assert_allclose(classifier.predict_scores([hidden]), classifier.predict_scores([text]), atol=1e-6)


FRENCH_ENGLISH_ABUSE = [
    "Ces migrants sont des parasites, qu'ils retournent chez eux",  # the examples
    "Shut up you stupid idiot",  # ("These people are animals": 0.39, ranked above clean text but not flagged)
    "Ferme ta gueule espèce de connard",
]
FRENCH_ENGLISH_CLEAN = [
    "Merci pour cet article très intéressant, bonne journée",
    "Great article, thanks for sharing this with us",
    "Je ne suis pas d'accord avec l'auteur sur ce point",
    "I disagree with the minister but the debate was useful",
]


def test_french_and_english_abuse_outranks_their_clean_comments(classifier: Classifier) -> None:
    offensive = classifier.predict_scores(FRENCH_ENGLISH_ABUSE + FRENCH_ENGLISH_CLEAN)[:, CATEGORIES.index("offensive")]
    assert offensive[: len(FRENCH_ENGLISH_ABUSE)].min() > offensive[len(FRENCH_ENGLISH_ABUSE) :].max()
    for result in classifier.predict(FRENCH_ENGLISH_ABUSE):
        assert "offensive" in result["flagged"], result


def test_clean_french_and_english_comments_are_not_spam(classifier: Classifier) -> None:
    """v4 flagged 18 % of clean French and English comments as spam: Latin script meant spam to it."""
    for text, result in zip(FRENCH_ENGLISH_CLEAN, classifier.predict(FRENCH_ENGLISH_CLEAN), strict=True):
        assert "spam" not in result["flagged"], (text, result)


PLAIN_INSULTS = ["يا حمار", "يلعن أبوك يا حيوان", "Shut up you stupid idiot"]  # the examples


def test_plain_insults_are_offensive_not_hate(classifier: Classifier) -> None:
    """Hate attacks people for a shared trait; «يا حمار» scored hate 0.97 (and IDENTITY_ATTACK with
    it) while a source that calls insults hate was read as published (``data.HATE_WITH_INSULTS``)."""
    for text, result in zip(PLAIN_INSULTS, classifier.predict(PLAIN_INSULTS), strict=True):
        assert "offensive" in result["flagged"] and "hate" not in result["flagged"], (text, result)


def test_an_attack_on_a_group_outranks_a_plain_insult_for_hate(classifier: Classifier) -> None:
    group = "Ces migrants sont des parasites, qu'ils retournent chez eux"
    hate = classifier.predict_scores([group, *PLAIN_INSULTS])[:, CATEGORIES.index("hate")]
    assert hate[0] > hate[1:].max()
