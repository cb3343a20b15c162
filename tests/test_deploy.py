"""The deployment files agree with each other: the pins cover the serving install, compose runs one
image for every role with the health check that fits it, and the image serves without torch."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRAINING_ONLY = {"torch", "transformers", "safetensors", "onnx", "triton"}  # (tqdm comes with tokenizers)


def _name(requirement: str) -> str:
    """PEP 503's normalised project name of a requirement line."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    assert all(len(pin) == 2 for pin in pins), "constraints.txt: exact pins only (name==version)"
    return {_name(name): version for name, version in pins}


def test_constraints_pin_every_serving_dependency_and_nothing_of_training() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _pins()
    missing = sorted(_name(r) for r in project["dependencies"] if _name(r) not in pins)
    assert not missing, f"regenerate constraints.txt (its header says how): {missing} are not pinned"
    assert not TRAINING_ONLY & set(pins)
    assert not [name for name in pins if name.startswith("nvidia-")]
    assert not TRAINING_ONLY & {_name(r) for r in project["dependencies"]}
    assert {"torch", "transformers"} <= {_name(r) for r in project["optional-dependencies"]["train"]}


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return compose


def test_compose_builds_one_image_for_web_and_workers() -> None:
    services = _compose()["services"]
    web, worker = services["web"], services["worker"]
    assert web["image"] == worker["image"] and "build" in web and "build" not in worker
    assert worker["command"] == ["raqib", "worker"] and "ports" not in worker  # so it can scale
    for service in services.values():
        assert service["restart"] == "unless-stopped"
        assert re.search(r":\d+(\.\d+)+", service.get("image", "")), f"unpinned image {service.get('image')}"


def test_compose_checks_each_role_and_keeps_keys_in_a_named_volume() -> None:
    compose = _compose()
    web, worker = compose["services"]["web"], compose["services"]["worker"]
    assert worker["healthcheck"]["test"] == ["CMD", "raqib", "worker", "--check"]
    assert web["healthcheck"]["test"] == ["CMD", "raqib-healthcheck"]
    data_dir = web["environment"]["RAQIB_DATA_DIR"]
    volume = next(v.split(":")[0] for v in web["volumes"] if v.split(":")[1] == data_dir)
    assert volume in compose["volumes"]  # named: it outlives `down`
    [published] = web["ports"]
    assert published.startswith("${WEB_PUBLISH:-127.0.0.1:8080}")


def test_the_image_installs_with_the_pins_runs_as_a_user_and_checks_by_role() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "-c constraints.txt" in dockerfile and "torch" not in dockerfile.replace("no torch", "")
    final = dockerfile.rsplit("\nFROM ", 1)[1]
    assert "g++" not in final and "COPY --from=build /opt/venv /opt/venv" in final
    assert re.search(r"^USER raqib$", final, re.M)
    assert 'CMD ["raqib-healthcheck"]' in final
    check = (ROOT / "deploy" / "healthcheck").read_text(encoding="utf-8")
    assert "raqib worker --check" in check and "/healthz" in check
