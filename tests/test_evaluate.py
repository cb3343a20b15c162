"""The evaluation's groups (sources and their Latin-script rows) and what a site feels: false spam
flags on clean comments, and the precision of the setting that holds comments."""

from __future__ import annotations

import numpy as np
from raqib.models.categories import CATEGORIES
from raqib.models.normalize import is_latin_script
from raqib.models.training.data import LabeledSet
from raqib.models.training.evaluate import calibrate, groups, paired_differences, report, site_view
from raqib.models.training.metrics import difference_interval, macro_f1, precision_at_recall

OFF, SPAM = CATEGORIES.index("offensive"), CATEGORIES.index("spam")


def dataset(texts: list[str], sources: list[str], offensive: list[int]) -> LabeledSet:
    labels = np.zeros((len(texts), len(CATEGORIES)), dtype=np.float32)
    mask = np.zeros_like(labels)
    labels[:, OFF], mask[:, OFF] = offensive, 1
    return LabeledSet(texts=texts, sources=sources, labels=labels, mask=mask)


def test_script_is_the_majority_of_letters() -> None:
    assert is_latin_script("3lach nta 7mar")
    assert is_latin_script("très bien")
    assert not is_latin_script("يا khouya شنو هادشي")
    assert not is_latin_script("😂 123")


def test_a_source_with_latin_rows_gets_its_own_line() -> None:
    texts = ["sir t9awed"] * 30 + ["سير تقود"] * 30 + ["نص"] * 30
    sources = ["darija"] * 60 + ["other"] * 30
    found = groups(dataset(texts, sources, [0, 1] * 45))
    assert set(found) == {"darija", "darija/latin", "other"}
    assert found["darija/latin"].sum() == 30
    scores = np.zeros((90, len(CATEGORIES)), dtype=np.float32)
    scores[:, OFF] = np.tile([0.1, 0.9], 45)  # perfect
    assert report(scores, dataset(texts, sources, [0, 1] * 45), {"offensive": 0.5})["offensive"]["darija/latin"] == 1.0


def test_site_view_counts_false_spam_and_hold_precision() -> None:
    data = dataset(["a", "b", "c", "d"], ["s"] * 4, [0, 0, 1, 1])
    scores = np.zeros((4, len(CATEGORIES)), dtype=np.float32)
    scores[:, SPAM] = [0.9, 0.1, 0.9, 0.1]  # one of two clean comments flagged as spam
    scores[:, OFF] = [0.95, 0.2, 0.95, 0.5]  # held: one clean, one offensive
    view = site_view(scores, data, {"spam": 0.5}, min_rows=1)["overall"]
    assert view == {"false_spam": 0.5, "hold_precision": 0.5, "hold_recall": 0.5}


def test_spam_is_not_a_false_spam_flag() -> None:
    data = dataset(["a", "b"], ["s"] * 2, [0, 0])
    data.labels[0, SPAM], data.mask[:, SPAM] = 1, 1  # the first is labelled spam: a true flag
    scores = np.zeros((2, len(CATEGORIES)), dtype=np.float32)
    scores[0, SPAM] = 0.9
    assert site_view(scores, data, {"spam": 0.5}, min_rows=1)["overall"]["false_spam"] == 0.0


def test_calibration_can_cap_false_spam() -> None:
    """Spam's threshold, capped: at most the given share of clean comments flagged, of any source."""
    texts = [str(i) for i in range(200)]
    data = dataset(texts, ["a"] * 100 + ["b"] * 100, [0] * 200)
    data.mask[:100, SPAM] = 1
    data.labels[:10, SPAM] = 1  # source a: 10 spam, 90 clean; source b: no spam labels
    scores = np.zeros((200, len(CATEGORIES)), dtype=np.float32)
    scores[:10, SPAM] = 0.8  # spam
    scores[100:120, SPAM] = 0.5  # 20 of b's clean comments look like spam: 10 % of the clean ones
    assert calibrate(scores, data)["spam"] < 0.8  # 0.5 is as good on a, the only source with labels
    capped = calibrate(scores, data, max_false_spam=0.01)["spam"]
    assert 0.5 < capped <= 0.8
    assert site_view(scores, data, {"spam": capped}, min_rows=1)["overall"]["false_spam"] == 0.0


HATE = CATEGORIES.index("hate")


def test_languages_get_their_own_lines_and_hate_is_told_from_insult() -> None:
    n = 40
    data = dataset(["x"] * 2 * n, ["s"] * 2 * n, [1] * 2 * n)
    data.labels[:, HATE] = [1] * n + [0] * n  # half hate, half plain insults
    data.mask[:, HATE] = 1
    data = LabeledSet(data.texts, data.sources, data.labels, data.mask, languages=["french", "english"] * n)
    scores = np.zeros((2 * n, len(CATEGORIES)), dtype=np.float32)
    scores[:n, HATE] = 0.9  # every hate row flagged
    scores[n : n + 4, HATE] = 0.8  # and 4 of 40 insults
    assert {"lang:french", "lang:english", "lang:arabic"} <= set(groups(data))
    view = site_view(scores, data, {"hate": 0.5}, min_rows=10)["overall"]
    assert view["hate_recall"] == 1.0 and view["insult_as_hate"] == 0.1
    assert view["hate_precision"] == n / (n + 4)
    assert calibrate(scores, data, max_insult_as_hate=0.05)["hate"] > 0.8  # the insults' scores are left out


def test_the_false_spam_cap_holds_in_every_language() -> None:
    n = 100
    data = dataset(["x"] * 2 * n, ["s"] * 2 * n, [0] * 2 * n)
    data.mask[:, SPAM] = 1
    data.labels[:5, SPAM] = 1
    data = LabeledSet(data.texts, data.sources, data.labels, data.mask, languages=["arabic"] * n + ["french"] * n)
    scores = np.zeros((2 * n, len(CATEGORIES)), dtype=np.float32)
    scores[:5, SPAM] = 0.95
    scores[n : n + 10, SPAM] = 0.7  # 10 % of the French clean comments look like spam
    threshold = calibrate(scores, data, max_false_spam=0.01)["spam"]
    assert threshold > 0.7  # an overall 5 % would have allowed it


def test_the_bootstrap_interval_tells_a_real_gap_from_noise() -> None:
    rng = np.random.default_rng(1)
    labels = rng.random(600) < 0.4
    good = np.where(rng.random(600) < 0.9, labels, ~labels)  # right nine times in ten
    bad = np.where(rng.random(600) < 0.7, labels, ~labels)
    low, high = difference_interval(labels, good, bad)
    assert 0 < low < macro_f1(labels, good) - macro_f1(labels, bad) < high
    as_good = np.where(rng.random(600) < 0.9, labels, ~labels)  # as often right, on other rows
    low, high = difference_interval(labels, as_good, good)
    assert low < 0 < high
    assert difference_interval(labels, good, good) == (0.0, 0.0)
    assert difference_interval(labels, good, bad) == difference_interval(labels, good, bad)  # seeded


def test_paired_differences_cover_reports_groups() -> None:
    data = dataset(["a", "b"] * 40, ["s1"] * 40 + ["s2"] * 40, [1, 0] * 40)
    scores = np.zeros((80, len(CATEGORIES)), dtype=np.float32)
    scores[::2, OFF] = 0.9  # always right
    other = np.full_like(scores, 0.9)  # always offensive
    differences = paired_differences(scores, {}, other, {}, data)
    assert (
        set(differences["offensive"])
        == {"overall", "s1", "s2"}
        == set(report(scores, data, {})["offensive"]) | {"overall"}
    )
    difference, low, high = differences["offensive"]["overall"]
    assert difference == 1.0 - macro_f1(data.labels[:, OFF], np.ones(80)) and 0 < low <= high


def test_precision_at_recall_takes_the_best_threshold_that_keeps_the_recall() -> None:
    labels = np.array([1, 1, 0, 1, 0, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    assert precision_at_recall(labels, scores, 0.75) == 0.75  # the top four: three of the four positives
    assert precision_at_recall(labels, scores, 0.5) == 1.0
    assert precision_at_recall(labels, scores, 1.0) == 4 / 7
    tied = np.array([0.9, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1])  # ties are flagged together
    assert precision_at_recall(labels, tied, 0.5) == 0.75  # not 1.0: the first two 0.5s cannot go alone
    assert precision_at_recall(np.zeros(3), np.ones(3), 0.75) == 0.0
