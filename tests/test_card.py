"""The model card's data table comes from the shared data's provenance descriptions."""

from __future__ import annotations

from pathlib import Path

from raqib.models.training.card import provenance


def test_each_description_gives_its_name_licence_and_citation(tmp_path: Path) -> None:
    folder = tmp_path / "provenance"
    folder.mkdir()
    (folder / "a.txt").write_text(
        'Set A -- Someone 2020\n=====\nLicense: none stated.\nCitation: Someone (2020) "A | B", Venue.\n',
        encoding="utf-8",
    )
    (folder / "b.txt").write_text("Set B\nLicence as stated: MIT (repository).\n", encoding="utf-8")
    (folder / "b.LICENSE_MIT.txt").write_text("MIT License\n", encoding="utf-8")
    assert provenance(tmp_path) == [
        ("Set A -- Someone 2020", "none stated.", 'Someone (2020) "A / B", Venue.'),
        ("Set B", "MIT (repository).", "see the provenance file"),
    ]


def test_dev_figures_stand_beside_the_baseline_and_bold_where_ahead() -> None:
    from raqib.models.training.card import metrics_table

    table = metrics_table(
        {"offensive": {"overall": 0.87, "mlma": 0.70}},
        {"offensive": {"overall": 0.86, "mlma": 0.72}},
    )
    assert "| offensive | overall | **0.870** | 0.860 |" in table
    assert "| offensive | mlma | 0.700 | 0.720 |" in table


def test_an_imported_encoder_is_named_with_its_shape(tmp_path: Path) -> None:
    import json

    from raqib.models.training.card import describe_encoder

    config = {"num_hidden_layers": 8, "hidden_size": 384, "num_attention_heads": 12, "vocab_size": 12000}
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    meta = {"training": {"base_model": {"name": "intfloat/multilingual-e5-small (MIT)", "layers_kept": 8}}}
    text = describe_encoder(tmp_path, meta)
    assert "8 layers, hidden 384, 12 heads, 12,000 pieces" in text
    assert "intfloat/multilingual-e5-small (MIT)" in text and "lowest 8 of 12 layers" in text


def test_a_distilled_run_names_its_corpus_sample_and_its_teachers() -> None:
    from raqib.models.training.card import _distilled

    assert _distilled({"training": {}}) == ""
    meta = {
        "training": {
            "distilled_from_char_ngram_teacher": True,
            "distill_lines": 50000,
            "teacher_transformers": ["models/artifacts/raqib-small"],
        }
    }
    text = _distilled(meta)
    assert "50,000 lines of the unlabelled corpus" in text and "`models/artifacts/raqib-small`" in text
    assert "the unlabelled corpus with" in _distilled({"training": {"distilled_from_char_ngram_teacher": True}})
