"""The moderators' page in headless Chromium (Debian's, driven by Playwright) against the real
app, Redis and API: sign in, see the reported comment, remove it, restore it; plus the session,
CSRF, language and phone-width rules. A screenshot of the queue is saved in test-artifacts/."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import KEYS, Api, direct_report, report, skip_requested

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
pytestmark = pytest.mark.skipif(skip_requested("browser"), reason="RAQIB_TEST_SKIP names browser")
COMMENT = "يا حمار، سير تقود"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page: Any, api: Api, name: str = "amina", role: str = "moderator") -> None:
    page.goto(api.base_url + "/review/")
    assert page.url.endswith("/review/signin")
    page.get_by_label(re.compile("مفتاح المشرف")).fill(KEYS[role])
    page.get_by_label(re.compile("اسمك")).fill(name)
    page.get_by_role("button", name="تسجيل الدخول").click()
    page.wait_for_url("**/review/queue")


def overflowing_cards(page: Any, cards: str) -> int:
    """How many of the ``cards`` (a CSS selector) have something that reaches outside them."""
    return int(
        page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)].filter(card =>
                 [...card.querySelectorAll('*')].some(node => {
                   const inner = node.getBoundingClientRect(), outer = card.getBoundingClientRect();
                   return inner.width > 0 && (inner.left < outer.left - 0.5 || inner.right > outer.right + 0.5);
                 })).length""",
            cards,
        )
    )


def audit_types(api: Api, actor: str) -> list[str]:
    entries = api.get(f"/v1/audit?actor={actor}", role="moderator").json()["entries"]
    return [e["type"] for e in entries]


def test_remove_then_restore_in_the_browser(page: Any, api: Api, redis_kind: str) -> None:
    for reader in ("a", "b", "c"):
        report(api, "c-42", f"reader-{reader}", reason="offensive", text=COMMENT)
    report(api, "c-43", "reader-d", reason="spam", text="اربح المال بسرعة")
    sign_in(page, api)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    entry = page.locator('[data-item-id="c-42"]')
    entry.wait_for()
    assert "محجوب" in entry.inner_text()  # hidden
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-queue-{redis_kind}.png"), full_page=True)

    entry.get_by_role("link", name="c-42").click()
    page.wait_for_url("**/review/items/c-42")
    page.get_by_text(COMMENT).first.wait_for()
    page.locator("#history").get_by_text("عتبة التعليقات الافتراضية").wait_for()  # the rule, in Arabic
    assert "default_comment_threshold" not in page.locator("#history").inner_text()
    page.get_by_role("button", name="حذف").click()  # remove, before choosing a reason: refused
    page.locator("#outcome").get_by_text("اختر سبب القرار أولا").wait_for()
    assert api.get("/v1/items/c-42").json()["status"] == "hidden"  # nothing was decided on a default
    page.get_by_label("سبب القرار").select_option("harassment")
    page.get_by_role("button", name="حذف").click()
    page.locator("#outcome").get_by_text("بيان الأسباب").wait_for()  # the statement of reasons
    assert api.get("/v1/items/c-42").json()["status"] == "removed"  # what the host sees
    page.screenshot(path=str(ARTIFACTS / f"review-item-{redis_kind}.png"), full_page=True)
    assert "item.removed" in audit_types(api, "moderator:amina")
    page.locator("#history").get_by_text("item.removed").wait_for()  # the page's own audit trail

    page.get_by_label("تجاوز قرار سابق").check()  # override the earlier decision
    page.get_by_label("سبب القرار").select_option("no_violation")
    page.keyboard.press("s")  # keyboard shortcut: restore
    page.locator("#item-status").get_by_text("ظاهر").wait_for()  # visible
    assert api.get("/v1/items/c-42").json()["status"] == "visible"
    assert audit_types(api, "moderator:amina")[-1] == "item.restored"


def test_claim_shows_who_holds_the_item(page: Any, api: Api) -> None:
    report(api, "c-7", "reader-a", text="نص")
    api.post("/v1/review/items/c-7/claim", role="moderator", json={}, headers={"X-Raqib-Actor": "yassine"})
    sign_in(page, api)
    page.locator('[data-item-id="c-7"]').get_by_text("moderator:yassine").wait_for()
    page.goto(api.base_url + "/review/items/c-7")
    page.locator("#claim").get_by_text("moderator:yassine").wait_for()
    page.get_by_label("سبب القرار").select_option("no_violation")
    page.get_by_role("button", name="رفض البلاغات").click()  # dismiss: refused, the claim is another's
    page.locator("#outcome [role=alert]").wait_for()


def test_french_stats_page_at_phone_width(page: Any, api: Api) -> None:
    report(api, "c-9", "reader-a", text="نص")
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, api)
    page.goto(api.base_url + "/review/stats?lang=fr")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.get_by_text("Décisions par jour").wait_for()
    page.locator("#chart-queue .bar-row").first.wait_for()
    assert page.locator("#chart-decisions .column").count() == 14
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(api.base_url + "/review/queue")  # the language is remembered
    assert page.locator("html").get_attribute("lang") == "fr"


def test_session_and_csrf_rules(api: Api) -> None:
    # requests keeps Secure cookies away from http://127.0.0.1 (Chromium does not): pass them by hand.
    web = requests.Session()
    form = web.get(api.base_url + "/review/signin")
    assert all(flag in form.headers["Set-Cookie"] for flag in ("HttpOnly", "SameSite=Strict", "Secure"))

    def sign_in_with(key: str) -> requests.Response:
        form = web.get(api.base_url + "/review/signin")
        token = re.search(r'name="signin_token" value="([^"]+)"', form.text)
        assert token
        fields = {"signin_token": (None, token.group(1)), "key": (None, key), "name": (None, "amina")}
        cookies = {"raqib_signin": form.cookies["raqib_signin"] or ""}
        return web.post(api.base_url + "/review/signin", files=fields, cookies=cookies, allow_redirects=False)

    assert sign_in_with(KEYS["client"]).status_code == 401  # not a moderator key
    signed = sign_in_with(KEYS["moderator"])
    assert signed.status_code == 302
    session_id = signed.cookies["raqib_session"]
    assert session_id
    cookie = {"raqib_session": session_id}
    report(api, "c-1", "reader-a", text="نص")
    body = {"action": "dismiss", "reason_code": "no_violation"}
    decision = api.base_url + "/v1/review/items/c-1/decision"
    refused = web.post(decision, json=body, cookies=cookie)
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    queue = web.get(api.base_url + "/review/queue", cookies=cookie)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', queue.text)
    assert csrf and "default-src 'self'" in queue.headers["Content-Security-Policy"]
    done = web.post(decision, json=body, cookies=cookie, headers={"X-CSRF-Token": csrf.group(1)})
    assert done.status_code == 200 and api.get("/v1/items/c-1").json()["status"] == "visible"
    assert audit_types(api, "moderator:amina")[-1] == "item.dismissed"
    web.post(api.base_url + "/review/signout", files={"csrf_token": (None, csrf.group(1))}, cookies=cookie)
    assert web.get(api.base_url + "/v1/review/queue", cookies=cookie).status_code == 401  # the session is gone
    assert web.get(api.base_url + "/review/queue", cookies=cookie, allow_redirects=False).status_code == 302


def test_an_image_with_its_text(page: Any, api: Api, store: Any, settings: dict[str, Any]) -> None:
    from .imagegen import arabic_meme
    from .test_images import report_image, run_worker

    assert report_image(api, "meme-9", "reader-a", arabic_meme()).status_code == 202
    run_worker(store, settings)
    sign_in(page, api)
    page.goto(api.base_url + "/review/items/meme-9")
    image = page.get_by_role("img", name=re.compile("meme-9"))
    image.wait_for()
    page.wait_for_function("document.querySelector('img.preview').naturalWidth > 0")
    if shutil.which("tesseract"):
        page.locator("#content").get_by_text(re.compile("اسكت")).wait_for()


def test_the_queue_pages_beyond_fifty_items(page: Any, api: Api, store: Any, redis_kind: str) -> None:
    from playwright.sync_api import expect

    for n in range(53):
        direct_report(store, f"q-{n:02d}", "reader", new_item_fields={"text": f"تعليق {n}"})
    sign_in(page, api)
    entries = page.locator("#queue .entry")
    expect(entries).to_have_count(50)
    assert page.get_by_role("button", name="الصفحة السابقة").is_disabled()
    page.get_by_role("button", name="الصفحة التالية").click()
    expect(entries).to_have_count(3)
    assert page.get_by_role("button", name="الصفحة التالية").is_disabled()
    first_page = {f"q-{n:02d}" for n in range(53)} - {entries.nth(i).get_attribute("data-item-id") for i in range(3)}
    assert len(first_page) == 50
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-queue-page-2-{redis_kind}.png"), full_page=True)
    page.get_by_role("button", name="الصفحة السابقة").click()
    expect(entries).to_have_count(50)


def test_reported_images_are_blurred_until_clicked(
    page: Any, api: Api, store: Any, settings: dict[str, Any], redis_kind: str
) -> None:
    from .imagegen import arabic_meme
    from .test_images import report_image, run_worker

    assert report_image(api, "meme-blur", "reader-a", arabic_meme()).status_code == 202
    run_worker(store, settings)
    sign_in(page, api)
    page.goto(api.base_url + "/review/items/meme-blur")
    image = page.get_by_role("img", name=re.compile("meme-blur"))
    image.wait_for()
    assert "blur" in image.evaluate("node => getComputedStyle(node).filter")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-image-blurred-{redis_kind}.png"), full_page=True)
    page.get_by_role("button", name="إظهار الصورة").click()
    assert image.evaluate("node => getComputedStyle(node).filter") == "none"
    page.get_by_role("button", name="إخفاء الصورة").wait_for()


def test_blurring_can_be_turned_off(page: Any, api_factory: Any, settings: dict[str, Any], store: Any) -> None:
    from .imagegen import arabic_meme
    from .test_images import report_image, run_worker

    settings["ui_blur_images"] = False
    api = api_factory(settings)
    assert report_image(api, "meme-clear", "reader-a", arabic_meme()).status_code == 202
    run_worker(store, settings)
    sign_in(page, api)
    page.goto(api.base_url + "/review/items/meme-clear")
    image = page.get_by_role("img", name=re.compile("meme-clear"))
    image.wait_for()
    assert image.evaluate("node => getComputedStyle(node).filter") == "none"
    assert page.get_by_role("button", name="إظهار الصورة").count() == 0


@pytest.mark.parametrize("width", [1280, 375])
def test_stats_charts_stay_inside_their_cards(page: Any, api: Api, width: int, redis_kind: str) -> None:
    for n in range(3):
        report(api, f"s-{n}", "reader-a", text="نص")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, api)
    page.goto(api.base_url + "/review/stats")
    page.locator("#chart-decisions .column").nth(13).wait_for()
    assert overflowing_cards(page, ".grid > .card") == 0
    heights = page.evaluate(
        "[...document.querySelectorAll('.column-label')].map(n => n.getBoundingClientRect().height)"
    )
    assert len(set(round(h) for h in heights)) == 1  # one line each: no date is split
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-stats-{width}px-{redis_kind}.png"), full_page=True)


def test_the_sign_in_form_accepts_an_arabic_name_and_explains_what_it_accepts(page: Any, api: Api) -> None:
    page.goto(api.base_url + "/review/signin")
    page.get_by_text("حروف بأي لغة").first.wait_for()
    sign_in(page, api, name="سلمى")
    assert page.locator(".who").inner_text() == "سلمى"


def test_the_held_tab_and_approve(page: Any, api: Api, redis_kind: str) -> None:
    api.request("PUT", "/v1/policy", role="admin", json={"mode": "pre"})
    body = {"item_id": "held-1", "item_type": "comment", "author_id": "author-1", "text": "تعليق ينتظر المراجعة"}
    assert api.post("/v1/submissions", json=body).json()["status"] == "held"
    report(api, "other-1", "reader-a", text="نص")
    sign_in(page, api)
    page.get_by_role("link", name="المعلقة").click()  # the held tab
    page.wait_for_url("**/review/queue?status=held")
    entry = page.locator('[data-item-id="held-1"]')
    entry.wait_for()
    assert page.locator('[data-item-id="other-1"]').count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-held-{redis_kind}.png"), full_page=True)
    entry.get_by_role("link", name="held-1").click()
    page.wait_for_url("**/review/items/held-1")
    page.get_by_label("سبب القرار").select_option("no_violation")
    page.keyboard.press("a")  # approve
    page.locator("#item-status").get_by_text("ظاهر").wait_for()
    assert api.get("/v1/items/held-1").json()["status"] == "visible"


def test_the_author_panel_sanctions_and_the_appeals_tab(page: Any, api: Api, redis_kind: str) -> None:
    body = {"item_id": "ap-1", "item_type": "comment", "author_id": "author-7", "text": "تعليق سيحذف ثم يطعن فيه"}
    api.post("/v1/submissions", json=body)
    decision = {"action": "remove", "reason_code": "harassment"}
    api.post("/v1/review/items/ap-1/decision", role="moderator", json=decision, headers={"X-Raqib-Actor": "yassine"})
    api.post("/v1/appeals", json={"item_id": "ap-1", "author_id": "author-7", "statement": "لم أقصد الإساءة"})
    sign_in(page, api)  # amina, not yassine who decided
    page.get_by_role("link", name="الطعون").click()
    page.wait_for_url("**/review/queue?status=appealed")
    page.locator('[data-item-id="ap-1"]').get_by_role("link", name="ap-1").click()
    page.wait_for_url("**/review/items/ap-1")
    page.locator("#appeal").get_by_text("لم أقصد الإساءة").wait_for()
    page.locator("#author-summary").get_by_text("إنذارات سارية: 1").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-appeal-author-{redis_kind}.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())  # the sanction asks for confirmation
    page.get_by_role("button", name="مراجعة مسبقة").click()
    page.locator("#author-summary").get_by_text("مراجعة مسبقة").wait_for()
    assert api.get("/v1/authors/author-7", role="moderator").json()["sanction"]["action"] == "premod"
    page.get_by_label("سبب القرار").select_option("no_violation")
    page.get_by_role("button", name="إلغاء القرار").click()
    page.locator("#item-status").get_by_text("ظاهر").wait_for()
    assert api.get("/v1/authors/author-7", role="moderator").json()["strikes"] == 0
