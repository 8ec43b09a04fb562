"""``python -m analytics report`` (the end of ``make run``) on both targets.

Run on the generated build (dbt build and the statistics step done): every business and
growth question is answered, the insights are printed, and the evidence section shows
the flagged product, the six hypothesis tests, the A/B plan, the TikTok lead and the
campaign plan.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.reporting.questions import QUESTIONS
from tests.conftest import REPO
from tests.integration.conftest import Build

pytestmark = pytest.mark.slow


def test_report_answers_every_question_and_prints_the_evidence(
    generated_build: Build, tmp_path: Path
) -> None:
    assert generated_build.returncode == 0, generated_build.failures()
    html_path = tmp_path / "shared" / "report.html"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "report",
            "--target",
            generated_build.target,
            "--html",
            str(html_path),
        ],
        cwd=REPO,
        env=generated_build.environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    output = completed.stdout
    for number, (name, question) in enumerate(QUESTIONS.items(), start=1):
        assert f"{number}. {question}  (analyses/{name}.sql)" in output
    assert "not enough data" not in output.lower()
    assert "Insights (marts.business_insights" in output
    evidence = output.split("Evidence (python -m analytics analyze)", 1)[1]
    assert "has not run" not in evidence
    assert "Wireless Earbuds Pro" in evidence and "battery" in evidence
    for test_id in (
        "discount_quantity",
        "consent_spend",
        "campaign_type_conversion",
        "email_vs_display_conversion",
        "traffic_source_conversion",
        "flagged_product_low_rating",
    ):
        assert test_id in evidence
    assert "tiktok" in evidence.lower()
    assert "Traceback" not in output + completed.stderr

    # The HTML report's path comes last but for the data-quality warning block (the
    # generated data's planted defects put customers over the 2% threshold), which ends
    # the report; the page needs nothing from outside.
    lines = output.strip().splitlines()
    (html_line,) = [n for n, line in enumerate(lines) if line.startswith("HTML report")]
    assert lines[html_line].endswith(str(html_path.resolve()))
    rest = [line for line in lines[html_line + 1 :] if line]
    assert not rest or (
        rest[1].startswith("WARNING: the data of these tables needs a look")
        and rest[0] == rest[-1] == "!" * 78
    ), rest
    page = html_path.read_text(encoding="utf-8")
    assert page.count('class="plotly-graph-div"') >= 15
    assert not re.search(r"<script[^>]+src=", page), "a script from elsewhere"
    assert not re.search(r"<link[^>]+href=", page), "a stylesheet from elsewhere"
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page), "a fetched style resource"
    for section in ("Overview", "Customers", "Campaigns", "Products", "Social to sales"):
        assert f"<h2>{section}</h2>" in page
    assert "Wireless Earbuds Pro" in page and "battery" in page
    for name in list(QUESTIONS)[:5]:
        assert f"analyses/{name}.sql" in page
