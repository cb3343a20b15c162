"""The installed distribution: one import package, ``raqib``, and a serving path without torch."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapped = {folder: name for name, folder in config["package-dir"].items()}
    found = set()
    for top, name in mapped.items():
        for init in (ROOT / top).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / top).parts
            found.add(".".join([name, *relative]))
    assert found == set(config["packages"])


@pytest.mark.slow
def test_the_wheel_provides_only_raqib(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        cwd=tmp_path,
    )
    [wheel] = tmp_path.glob("raqib-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")} == {"raqib"}
    assert "raqib/service/store/lua/report.lua" in names
    assert "raqib/models/artifacts/raqib-small/model.int8.onnx" in names
    assert not any(n.startswith("raqib/__init__") for n in names)  # a namespace: nothing of its own
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "raqib = raqib.service.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_old_top_level_names_are_gone_outside_the_repository(tmp_path: Path) -> None:
    code = (
        "import importlib.util as u\n"
        "print(u.find_spec('service') is None, u.find_spec('models') is None, u.find_spec('raqib') is not None)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]


def test_serving_imports_no_torch() -> None:
    """The bundled model predicts, and the app and the worker import, without torch, transformers'
    model code or scikit-learn, in a fresh process."""
    code = (
        "import sys\n"
        "from raqib.models import load_classifier\n"
        "[r] = load_classifier().predict(['يا حمار'])\n"
        "assert r['scores']['offensive'] > 0.5, r\n"
        "import raqib.service.app, raqib.service.worker, raqib.service.serve\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'transformers', 'sklearn'})\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """README's test command, system packages included, is the line ``.ci/run`` runs: a newcomer's
    run tests what CI tests."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = 'bash .ci/system-packages && pip install torch==2.13.0 -e ".[test]" && python -m pytest'
    assert f"```sh\n{command}\n```" in readme
    assert (root / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()[-1] == command
