from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import Api, report


def test_metrics_count_requests_reports_and_hides(api: Api) -> None:
    for reader in ("a", "b", "c", "c"):
        report(api, "met-1", reader)
    text = api.get("/metrics", role="admin").text
    assert 'raqib_reports_total{item_type="comment",outcome="accepted"}' in text
    assert 'raqib_reports_total{item_type="comment",outcome="duplicate"}' in text
    assert 'raqib_auto_hides_total{rule="default_comment_threshold"}' in text
    assert 'raqib_http_requests_total{method="POST",route="/v1/reports",status="202"}' in text
    assert "raqib_http_request_seconds_bucket" in text
    assert "raqib_review_queue_items 1.0" in text


def test_metrics_need_an_admin_key_unless_public(
    api: Api, settings: dict[str, Any], api_factory: Callable[[dict[str, Any]], Api]
) -> None:
    assert api.get("/metrics", role=None).status_code == 401
    assert api.get("/metrics", role="client").status_code == 403
    settings["metrics_public"] = True
    assert api_factory(settings).get("/metrics", role=None).status_code == 200
