"""The report in Chromium: no two pieces of text overlap in any figure, at 1400 px and 390 px.

Figures are inline SVG with real text, so the browser lays the text out in its own fonts;
the test reads every text element's box and checks each pair within a figure. Screenshots of
the top of the page and of every figure go to ``test-artifacts/web/``. Nothing outside the
page may load (every request is refused except the page itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bias_audit import AuditConfig, ScorerSpec, run_audit
from bias_audit.officer import officer_effect
from bias_audit.report import render_html

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
TEXT_BOXES = """
(svg) => Array.from(svg.querySelectorAll('text')).map(t => {
  const r = t.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom, t.textContent];
}).filter(b => b[2] - b[0] > 0 && b[3] - b[1] > 0 && b[4].trim() !== '')
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium (install Debian's package: apt-get install -y chromium)",
    ),
]


@pytest.fixture(scope="module")
def report(simulate_table: Callable[..., pd.DataFrame], tmp_path_factory: Any) -> Path:
    frame = simulate_table(6_000, seed=5)
    frame["model"] = 1 / (1 + np.exp(-(-2.5 + frame["risk_proxy"])))
    scorers = [
        ScorerSpec("statutory grade", "statutory_grade"),
        ScorerSpec("officer grade", "officer_grade"),
        ScorerSpec("model", "model", "probability", threshold=0.15),
    ]
    config = AuditConfig(n_boot=60, person_column="victim_id", intersections=True)
    result = run_audit(frame, "harm", scorers, ["ethnicity", "sex", "area"], config)
    result.officer_effect = officer_effect(
        frame, "officer_id", "yes_count", ["risk_proxy"], n_boot=50
    )
    path = tmp_path_factory.mktemp("report") / "audit_report.html"
    path.write_text(render_html(result), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


def _overlaps(boxes: list[list[Any]], slack: float = 0.5) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            wide = min(a[2], b[2]) - max(a[0], b[0]) > slack
            tall = min(a[3], b[3]) - max(a[1], b[1]) > slack
            if wide and tall:
                found.append((a[4], b[4]))
    return found


@pytest.mark.parametrize("width", [1400, 390])
def test_no_text_overlaps_in_any_figure(report: Path, browser: Any, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    requested: list[str] = []

    def refuse(route: Any) -> None:
        requested.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    page.goto(report.as_uri())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"bias-audit-top-{width}.png"))
    figures = page.locator("svg.figure")
    assert figures.count() >= 7  # 3 groupings x (rates + reliability) + the funnel
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        boxes = figure.evaluate(TEXT_BOXES)
        assert len(boxes) >= 5, "figure text must be text the browser lays out"
        assert _overlaps(boxes) == [], f"figure {i}: overlapping text"
        figure.screenshot(path=str(ARTIFACTS / f"bias-audit-figure-{i:02d}-{width}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert requested == []
    context.close()


def test_the_report_prints(report: Path, browser: Any) -> None:
    """Printed, the contents list ends its page and no table is cut off at the side."""
    page = browser.new_page()
    page.goto(report.as_uri())
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('nav')).breakAfter") == "page"
    assert page.evaluate("getComputedStyle(document.querySelector('.wrap')).overflowX") == "visible"
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf[:4] == b"%PDF" and pdf.count(b"/Type /Page") > 3
    page.close()
