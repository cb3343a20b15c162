"""The installed distribution: one import package, ``raqib``, and a serving path without torch."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

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


# Imports that only training needs: in the serving process they fail, as on an install without `.[train]`.
NO_TRAINING = """
import sys
class NoTraining:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"torch", "transformers", "safetensors", "onnx", "sklearn", "tqdm"}:
            raise ImportError(f"{name}: not installed for serving")
sys.meta_path.insert(0, NoTraining())
"""


def test_the_app_scores_and_counts_reports_without_training_packages(settings: dict[str, Any]) -> None:
    """The app with the bundled model, in a process where torch and the rest of the `train` extra cannot
    be imported: /v1/classify scores, a report with text is accepted and scored, the worker module loads."""
    code = NO_TRAINING + (
        "import json\n"
        "from raqib.service.app import create_app\n"
        "import raqib.service.worker, raqib.service.serve, raqib.models.classify\n"
        "settings = json.loads(sys.argv[1])\n"
        "app = create_app({**settings, 'model_dir': ''})\n"
        "client = app.test_client()\n"
        "auth = {'Authorization': 'Bearer test-client-key'}\n"
        "scored = client.post('/v1/classify', json={'text': 'يا حمار'}, headers=auth)\n"
        "assert scored.status_code == 200, scored.get_data(as_text=True)\n"
        "report = {'item_id': 'c-1', 'item_type': 'comment', 'reporter_id': 'r-1', 'text': 'يا حمار'}\n"
        "reported = client.post('/v1/reports', json=report, headers=auth)\n"
        "assert reported.status_code == 202, reported.get_data(as_text=True)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'transformers', 'sklearn'})\n"
        "print(json.dumps({'scores': scored.get_json(), 'heavy': heavy}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(settings)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["scores"]["scores"]["offensive"] > 0.5, result


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """README's test command, system packages included, is the line ``.ci/run`` runs: a newcomer's
    run tests what CI tests."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    install = 'pip install -c constraints.txt torch==2.13.0 -e ".[test,train]"'
    command = f"bash .ci/system-packages && {install} && python -m pytest"
    assert f"```sh\n{command}\n```" in readme
    assert (root / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()[-1] == command
