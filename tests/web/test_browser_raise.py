"""Browser test: a later review cannot hide a raise (Chromium at 1400 and 390 px, offline).

A reviewer raises a standard case to high; the case page then shows the case grade, who raised
it, and the MARAC and IDVA referrals the raise requires; a later "agree" keeps all of it, the
form offers no lower grade, and the queue shows the case grade and the raiser.
"""

from __future__ import annotations

import re

import pytest

from tests.web.test_browser import CHROMIUM, Live, _shot, browser, live  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
]


def _offline(context: object) -> None:
    """Abort every request that leaves 127.0.0.1."""

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        allowed = re.match(r"^https?://127\.0\.0\.1[:/]", url) is not None
        r.continue_() if allowed else r.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [1400, 390])
def test_a_later_review_cannot_hide_a_raise(live: Live, browser: object, width: int) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    _offline(context)
    page = context.new_page()
    page.goto(f"{live.url}/reviewer/login")
    page.get_by_label("API key").fill(live.reviewer_key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/reviewer/queue$"))
    page.goto(f"{live.url}/reviewer/queue?grade=standard&state=unreviewed")
    page.locator("table.queue tbody tr").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/reviewer/cases/\d+$"))
    case_url = page.url

    page.get_by_label("Raise the grade").check()
    page.locator("#raised_to").select_option("high")
    page.get_by_label("Reason (required)").fill("Threats to kill disclosed to the IDVA.")
    page.get_by_role("button", name="Record review").click()
    page.wait_for_url(re.compile(r".*\?recorded=1#reviews$"))
    effective = page.get_by_test_id("effective-grade")
    assert effective.is_visible() and "high" in effective.inner_text().lower()
    from_review = page.locator("table.actions tr.from-review")
    assert from_review.count() == 2
    assert "marac referral" in from_review.nth(0).inner_text().lower()
    assert "idva referral" in from_review.nth(1).inner_text().lower()

    page.get_by_label(re.compile("^Agree")).check()
    page.get_by_label("Reason (required)").fill("Agree with the raised grade.")
    page.get_by_role("button", name="Record review").click()
    page.wait_for_url(re.compile(r".*\?recorded=1#reviews$"))
    assert "high" in page.get_by_test_id("effective-grade").inner_text().lower()
    assert page.locator("table.actions tr.from-review").count() == 2
    assert page.get_by_text("Agreed: the case's grade stays high").is_visible()
    assert page.get_by_label(re.compile("^Raise the grade")).is_disabled()
    _shot(page, f"10-raise-kept-{width}")

    page.goto(f"{live.url}/reviewer/queue?state=raised")
    case_id = case_url.rsplit("/", 1)[-1]
    row = page.locator("table.queue tbody tr").filter(
        has=page.locator(f'a[href$="/cases/{case_id}"]')
    )
    assert row.count() == 1 and "raised by" in row.inner_text()
    _shot(page, f"11-queue-raised-{width}")
    context.close()
