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
