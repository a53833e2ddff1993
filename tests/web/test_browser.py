"""Browser tests: Debian's Chromium (never Playwright's download) against a live server.

Sign in, open the queue, open a disagreement case, record a review and see it on the case
page; a screenshot of every page goes to ``test-artifacts/web/`` (gitignored).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from serving.app import create_app
from serving.db.session import make_engine
from serving.security import create_key
from serving.settings import ServingSettings
from serving.web import score_and_record
from tests.serving.model_factory import RegisteredModel
from tests.serving.requests_util import case_request

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
N_CASES = 60

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium (install Debian's package: apt-get install -y chromium)",
    ),
]


@dataclass(frozen=True)
class Live:
    url: str
    reviewer_key: str
    n_suggested: int
    database_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    web_model: RegisteredModel,
    web_tables: dict[str, pd.DataFrame],
) -> Iterator[Live]:
    """A uvicorn server on a free loopback port, its queue filled by ``score_and_record``."""
    import uvicorn

    db = tmp_path_factory.mktemp("live") / "live.db"
    settings = ServingSettings(
        database_url=f"sqlite:///{db}",
        tracking_uri=web_model.tracking_uri,
        model_name=web_model.name,
    )  # cookies stay Secure: Chromium keeps them on http://127.0.0.1
    ids = web_tables["dash_assessments"]["assessment_id"].tolist()[:N_CASES]
    outcome = score_and_record([case_request(web_tables, a) for a in ids], settings)
    assert outcome.n_ok == N_CASES and outcome.n_failed == 0
    engine = make_engine(settings.database_url)
    key = create_key(engine, "reviewer")[1]
    engine.dispose()
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield Live(f"http://127.0.0.1:{port}", key, outcome.review_suggested, settings.database_url)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_sign_in_queue_disagreement_review(live: Live, browser: object) -> None:
    assert live.n_suggested > 0, "the seeded cases need at least one disagreement"
    context = browser.new_context(viewport={"width": 1366, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{live.url}/reviewer/queue")
    assert "/reviewer/login" in page.url
    _shot(page, "01-login")
    page.get_by_label("API key").fill(live.reviewer_key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/reviewer/queue$"))
    cookie = next(c for c in context.cookies() if c["name"] == "sl_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    assert page.get_by_role("heading", name="Scored cases").is_visible()
    assert page.locator("table.queue tbody tr").count() == 50
    _shot(page, "02-queue")

    page.get_by_role("link", name="Disagreements", exact=True).click()
    page.wait_for_url(re.compile(r".*/reviewer/disagreements$"))
    probs = [
        float(t.strip().rstrip("%"))
        for t in page.locator("table.queue tbody td.num").all_inner_texts()
    ]
    assert len(probs) == min(live.n_suggested, 50) and probs == sorted(probs, reverse=True)
    _shot(page, "03-disagreements")

    page.locator("table.queue tbody tr").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/reviewer/cases/\d+$"))
    assert page.get_by_role("heading", name=re.compile("Statutory grade")).is_visible()
    assert page.get_by_text("Review suggested.").is_visible()
    assert page.locator("svg.waterfall rect").count() >= 2
    _shot(page, "04-case")

    raise_box = page.get_by_label("Raise the grade")
    assert raise_box.is_enabled()  # a disagreement is never already high
    assert page.locator("#raised_to").is_disabled()  # until "raise" is chosen (script)
    raise_box.check()
    options = page.locator("#raised_to option").all_inner_texts()
    page.locator("#raised_to").select_option(options[-1])
    page.get_by_label("Reason (required)").fill("Escalation over three months; raised for MARAC.")
    page.get_by_role("button", name="Record review").click()
    page.wait_for_url(re.compile(r".*/reviewer/cases/\d+\?recorded=1#reviews$"))
    assert page.get_by_role("status").is_visible()
    assert page.get_by_text(f"Raised the grade to {options[-1]}").is_visible()
    # the reason shows on the review, and as the source of the raise's grade and actions
    assert page.locator("p.reason", has_text="Escalation over three months").is_visible()
    _shot(page, "05-case-reviewed")

    page.get_by_role("link", name="Model", exact=True).click()
    assert page.get_by_role("heading", name="Model card", level=2).is_visible()
    _shot(page, "06-model")
    context.close()


def test_keyboard_skip_link_and_focus(live: Live, browser: object) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{live.url}/reviewer/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    left = page.evaluate("document.activeElement.getBoundingClientRect().left")
    assert left >= 0 and outline is not None
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # the key field has autofocus; after the skip link, focus moves into the main content
    assert page.evaluate("document.activeElement.closest('main') !== null")
    page.get_by_label("API key").fill(live.reviewer_key)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/reviewer/queue$"))
    page.goto(f"{live.url}/reviewer/queue?grade=high")
    assert page.locator("#f-grade").input_value() == "high"
    _shot(page, "07-queue-filtered")
    context.close()


def _block_the_network(context: object) -> None:
    """Abort every request that is not to 127.0.0.1 (the page must need nothing else)."""

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith("http://127.0.0.1:"):
            r.continue_()  # type: ignore[attr-defined]
        else:
            r.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)  # type: ignore[attr-defined]


def _case_ids(live: Live) -> dict[str, int]:
    """Pick cases: review suggested, not suggested, statutory high, and the most reasons."""
    from sqlalchemy import select

    from serving.db.models import ScoreAudit

    engine = make_engine(live.database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ScoreAudit.id,
                ScoreAudit.statutory_grade,
                ScoreAudit.review_suggested,
                ScoreAudit.response_json,
            ).order_by(ScoreAudit.id)
        ).all()
    engine.dispose()

    def size(r: Any) -> int:
        model = json.loads(r.response_json)["model"]
        shown = model["groups"][:5]
        return sum(len(g["label"]) + sum(len(f["sentence"]) for f in g["features"]) for g in shown)

    picks = {
        "suggested": next(r.id for r in rows if r.review_suggested),
        "not-suggested": next(
            r.id for r in rows if not r.review_suggested and r.statutory_grade != "high"
        ),
        "most-reasons": max(rows, key=size).id,
    }
    high = [r.id for r in rows if r.statutory_grade == "high"]
    assert high, "the seeded cases need a statutory high one"
    picks["statutory-high"] = high[0]
    return picks


WIDER_THAN_SCREEN = """
() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().width > 0 && !e.closest('.scroll'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .map(e => e.tagName + '.' + e.className)
"""
OVERLAPS = """
() => {
  const svg = [...document.querySelectorAll('svg.waterfall')]
    .find(s => s.getBoundingClientRect().width > 0);
  const box = el => {
    const r = el.getBoundingClientRect();
    return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, what: el.textContent || el.tagName};
  };
  const texts = [...svg.querySelectorAll('text')]
    .flatMap(t => t.querySelector('tspan') ? [...t.querySelectorAll('tspan')] : [t]).map(box);
  const shapes = [...svg.querySelectorAll('rect')].map(box);
  const hit = (a, b) =>
    a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
  const frame = svg.getBoundingClientRect();
  const found = [];
  texts.forEach((a, i) => {
    texts.slice(i + 1).forEach(b => { if (hit(a, b)) found.push([a.what, b.what]); });
    shapes.forEach(b => { if (hit(a, b)) found.push([a.what, 'bar']); });
    if (a.x0 < frame.left - 0.5 || a.x1 > frame.right + 0.5) found.push([a.what, 'outside']);
  });
  const px = parseFloat(getComputedStyle(svg.querySelector('text')).fontSize);
  const fontSize = px * frame.width / svg.viewBox.baseVal.width;
  return {found, texts: texts.length, bars: shapes.length, fontSize};
}
"""


@pytest.mark.parametrize("width", [1400, 390])
def test_case_pages_reasons_never_overlap_and_are_screenshotted(
    live: Live, browser: object, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    _block_the_network(context)
    page = context.new_page()
    page.goto(f"{live.url}/reviewer/login")
    page.get_by_label("API key").fill(live.reviewer_key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/reviewer/queue$"))
    picks = _case_ids(live)
    for name, audit_id in picks.items():
        page.goto(f"{live.url}/reviewer/cases/{audit_id}")
        chart = page.locator("svg.waterfall:visible")
        assert chart.count() == 1
        result = page.evaluate(OVERLAPS)
        assert result["found"] == [], (name, width, result["found"])
        assert result["bars"] >= 4 and result["texts"] >= 8
        assert result["fontSize"] >= 10, "chart text must stay readable at this width"
        assert page.locator("ol.reason-groups > li").count() >= 3
        assert page.get_by_text(re.compile(r"^Estimated chance of")).is_visible()
        wide = page.evaluate(WIDER_THAN_SCREEN)
        assert wide == [], f"these parts of the case page scroll sideways: {wide}"
        _shot(page, f"case-{name}-{width}")
    context.close()
