"""The service against its own OpenAPI document (issue 44): Schemathesis (pinned in the ``test``
extra) with every check, the coverage, fuzzing and stateful phases, a fixed seed and a bounded
number of examples, over real HTTP to the app on 127.0.0.1 with an admin key and a tiny model.

Sites generate clients from ``/openapi.json``, so it must state every status a route answers, the
shape of every answer, the patterns of path parameters and the constraints of bodies; and the
service must refuse what the document does not allow. ``tests/contract_hooks.py`` swaps generated
names for things that exist (a word list, a trusted flagger, a host) and draws real images. The
test takes about 45 s on 2 cores; every failure is kept in full in its tmp_path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import KEYS, Api

ApiFactory = Callable[[dict[str, Any]], Api]
ROOT = Path(__file__).resolve().parent.parent
SEED = 44
EXAMPLES = 30  # per operation and phase: ~3,400 requests

# Schema-valid requests the service rightly refuses (ST202), because no schema can say what they need:
ALLOWED: dict[str, set[str]] = {
    "ST202": {
        # A model version registers a directory that exists on this machine and holds a model whose
        # checksum is the one given: the document can say "a path", not which ones exist.
        "POST /v1/models",
        # An appeal is the item's author's: the author_id must be the one the item was submitted with.
        "POST /v1/appeals",
        # A policy's rule ids are unique and a length condition's min is not above its max: JSON
        # Schema compares no two values (both are 422s naming the field).
        "PUT /v1/policy",
        # The report's period: `to` after `from` (two values compared again).
        "GET /v1/transparency/report",
    },
}
# A body over the size cap is refused with 413, which schemathesis does not count as a refusal.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
"""
# Schemathesis 4.32.5 cannot draw a file part that decodes as an image, and once one is drawn (the
# hooks draw real images) it can no longer tell valid forms from invalid ones: its coverage phase
# sends stringified parts, its negative mode counts a real image as a wrong type. So the routes that
# take an upload get positive fuzzing (every valid request must be accepted, and answered as the
# document says); their refusals of bad input are tested in test_reports, test_submissions and
# test_images. Every other route gets the coverage, fuzzing and stateful phases, positive and negative.
UPLOADS = r"^/v1/(images/check|reports|submissions)$"
RUNS = {
    "all-phases": ("--phases", "coverage,fuzzing,stateful", "--exclude-path-regex", UPLOADS),
    "uploads": (
        *("--phases", "fuzzing", "--mode", "positive", "--include-path-regex", UPLOADS),
        *("--exclude-checks", "negative_data_rejection"),  # it misreads drawn images as wrong types
    ),
}


def schemathesis(url: str, tmp_path: Path, name: str, extra: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """One run of the CLI against ``url``: its JSON report and its text summary (the whole output is
    kept in ``tmp_path``)."""
    report, config = tmp_path / f"{name}.json", tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{url}/openapi.json"),
        *("--checks", "all", "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1", *extra),
        *("--header", f"Authorization: Bearer {KEYS['admin']}", "--request-timeout", "30"),
        *("--no-color", "--report", "json", "--report-json-path", str(report)),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.contract_hooks", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    (tmp_path / f"{name}.txt").write_text(run.stdout + run.stderr)
    assert report.exists(), run.stdout[-4000:] + run.stderr[-4000:]
    start = run.stdout.find("=== SUMMARY")
    return json.loads(report.read_text()), run.stdout[start - 40 :] if start >= 0 else run.stdout


# One Redis server: the cluster adds nothing to the contract and would double the time.
@pytest.mark.parametrize("redis_kind", ["single"], indirect=True)
def test_the_service_keeps_its_openapi_contract(
    api_factory: ApiFactory, settings: dict[str, Any], tiny_model: Path, tmp_path: Path
) -> None:
    settings.update(model_dir=str(tiny_model), reporter_rate_limit="100000/60", classify_rate_limit="off")
    settings.update(perspective_rate_limit="off")
    api = api_factory(settings)
    assert api.request("PUT", "/v1/wordlists/contract", role="admin", json={"words": ["غبي"]}).ok
    assert api.post("/v1/trusted-flaggers", role="admin", json={"id": "tf-contract", "name": "Contract"}).ok
    for name, extra in RUNS.items():
        result, summary = schemathesis(api.base_url, tmp_path, name, extra)
        assert result["complete"] and not result["errors"], summary
        unexpected = {
            f"{f['code']} {f['title']}: {op}"
            for f in result["failures"]
            for op in f["operations"]
            if op not in ALLOWED.get(f["code"], set())
        }
        assert not unexpected, "\n".join(sorted(unexpected)) + f"\n\n{summary}\nin full: {tmp_path / name}.txt"
