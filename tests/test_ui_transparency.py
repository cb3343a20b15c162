"""The moderators' page's transparency tab in headless Chromium: an admin's session shows the
DSA report of the period as figures and charts that stay inside their cards at phone width, and
downloads the same period's CSV; a moderator's session has no tab and is told why."""

from __future__ import annotations

from typing import Any

import pytest
from raqib.service.config import Config
from raqib.service.dsa.worker import StatementMaker
from raqib.service.store import Store

from .conftest import Api, report, skip_requested
from .test_notices import notice
from .test_ui import ARTIFACTS, browser, overflowing_cards, page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(skip_requested("browser"), reason="RAQIB_TEST_SKIP names browser")
REMOVAL = {
    "action": "remove",
    "reason_code": "hate_speech",
    "ground": "illegal",
    "legal_ground": "Loi du 29 juillet 1881, art. 24",
    "explanation": "Provocation à la haine.",
}


def restrictions(api: Api, store: Store, settings: dict[str, Any]) -> None:
    """An auto-hide by three readers and a removal on a notice: two statements of reasons."""
    for n in range(3):
        report(api, "c-hidden", f"reader-{n}", reason="hate", text="يا حمار")
    assert api.post("/v1/notices", json=notice("c-noticed")).status_code in (201, 202)
    decided = api.post("/v1/review/items/c-noticed/decision", role="moderator", json=REMOVAL)
    assert decided.ok, decided.text
    maker = StatementMaker(store, Config.from_mapping(settings), "test")
    while maker.run_once():
        pass


@pytest.mark.parametrize("width", [1280, 375])
def test_an_admin_reads_the_report_as_charts_and_downloads_its_csv(
    page: Any,  # noqa: F811
    api: Api,
    store: Store,
    settings: dict[str, Any],
    width: int,
    redis_kind: str,
) -> None:
    restrictions(api, store, settings)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, api, role="admin")
    page.get_by_role("link", name="الشفافية").click()
    page.wait_for_url("**/review/transparency")
    figures = page.locator("#key-figures")
    figures.get_by_text("الإشعارات المستلمة").wait_for()
    assert figures.locator(".figure").first.locator("dd").inner_text() == "1"  # one notice
    page.locator("#chart-grounds").get_by_text("محتوى غير قانوني").wait_for()  # the removal's ground
    page.locator("#chart-automation").get_by_text("آلي بالكامل").wait_for()  # the auto-hide
    page.locator("#chart-notice-sources").get_by_text("إشعار المادة 16").wait_for()
    page.locator("#chart-notice-categories").get_by_text("خطاب غير قانوني أو ضار").wait_for()
    assert overflowing_cards(page, ".grid > .card, #key-figures") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    csv_text = page.evaluate("fetch(document.getElementById('csv').href).then(r => r.text())")
    assert csv_text.splitlines()[0] == "section,metric,value"
    assert "notices,total,1" in csv_text.splitlines()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-transparency-{width}px-{redis_kind}.png"), full_page=True)


def test_a_moderator_has_no_transparency_tab(page: Any, api: Api) -> None:  # noqa: F811
    sign_in(page, api)
    assert page.get_by_role("link", name="الشفافية").count() == 0
    page.goto(api.base_url + "/review/transparency")
    page.get_by_text("هذا التقرير لمفاتيح الإدارة فقط.").wait_for()
