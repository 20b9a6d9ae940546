"""RKB's trend charts on the shipped sample, April to September 2026: the change from K2 to Cerner
(schemas/layouts.yaml: Cerner from 2026-04) restarts the limits, the months since are too few for
limits of their own, nothing promises a pass beside a failing month, and the recovery is named a
trend once seven points rise.

RKB's valid ethnic category, from the sample's story (tests/synthetic): about 88% every month on K2
(April 2025 to March 2026), then on Cerner 42.1%, 58.1%, 70.9%, 83.0%, 86.1%, 89.0% (April to
September 2026; the gate fails April to June).
"""

from __future__ import annotations

import re
import shutil

import pytest

from pipelines.core.warehouse import connect
from tests.scorecard.helpers import element, render_month, section, text_of

CERNER_MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
ETHNIC = "spc-rkb-msd-mother-ethnic-valid"


def _figure(page: str, chart: str = ETHNIC) -> str:
    return element(page, "figure", aria_labelledby=f"{chart}-h")


def _x(svg: str, cls: str) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in re.findall(rf'<line class="{cls}" x1="([\d.]+)" x2="([\d.]+)"', svg)]


@pytest.mark.parametrize("month", CERNER_MONTHS)
def test_limits_restart_at_the_change(sample_pages, month):
    """Each month's page: K2's mean and limits drawn over the K2 months only (left of the dotted
    change line), none for Cerner's 1 to 6 months, and the chart says why."""
    page, _ = sample_pages[month]
    figure = _figure(page)
    [(change, _)] = _x(figure, "golive")
    limits, means = _x(figure, "limit"), _x(figure, "mean")
    assert len(limits) == 2 and len(means) == 1  # K2's upper and lower limit, K2's mean
    assert all(right <= change for _, right in limits + means)
    n = CERNER_MONTHS.index(month) + 1
    note = f"Not enough months since the change in April 2026 for process limits: {n} of the 12 needed."
    assert note in text_of(figure)
    assert "Variation not judged (no process limits yet)" in text_of(figure)
    assert 'class="pt-improvement"' not in figure and 'class="pt-concern"' not in figure


@pytest.mark.parametrize("month", CERNER_MONTHS)
def test_no_assurance_of_a_pass_beside_a_failing_month(sample_pages, month):
    """April to June RKB fails valid ethnic category; no RKB chart in any of the six months says
    the process will consistently pass (or fail)."""
    page, _ = sample_pages[month]
    rkb = text_of(section(page, "RKB"))
    assert "consistently pass" not in rkb and "consistently fail" not in rkb
    assert "Assurance: not assessed (no process limits yet)" in text_of(_figure(page))


def test_september_tells_the_recovery_in_words(sample_pages):
    caption = text_of(element(_figure(sample_pages["2026-09"][0]), "figcaption"))
    assert (
        "Risen in each of the last 5 months (42.1% in April 2026 to 89.0%): 7 points in a row would make it a trend."
        in caption
    )
    assert "Common cause" not in caption


def test_the_k2_year_is_judged_against_its_own_limits(sample_pages):
    """March 2026, K2's twelfth month: a baseline of 12, limits from K2 alone and no special cause
    (the pooled chart of the issue showed the K2 months as improvements against Cerner's April)."""
    figure = _figure(sample_pages["2026-03"][0])
    assert len(_x(figure, "limit")) == 2 and not _x(figure, "golive")
    assert 'class="pt-improvement"' not in figure and 'class="pt-concern"' not in figure
    assert "No special cause: all variation is common cause." in text_of(figure)


@pytest.fixture(scope="module")
def october(sample_warehouse, tmp_path_factory):
    """A made-up October 2026 after the sample: September's stored rows copied, RKB's valid ethnic
    category set to 455 of 500 (91.0%), higher again."""
    root = tmp_path_factory.mktemp("october")
    warehouse = root / "mdq.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    with connect(warehouse) as con:
        for table in ("measures", "trust_month_status"):
            con.execute(f"INSERT INTO {table} SELECT * REPLACE ('2026-10' AS reporting_month) FROM {table} "
                        "WHERE reporting_month = '2026-09'")  # fmt: skip
        con.execute(
            """UPDATE measures SET numerator = 455, denominator = 500, rate = 0.91, valid = 455, "default" = 45,
                   invalid = 0, missing = 0
               WHERE reporting_month = '2026-10' AND org_code = 'RKB' AND breakdown = 'overall'
                 AND measure_id = 'MSD_MOTHER_ETHNIC_VALID'"""
        )
    return render_month(warehouse, "2026-10", root)[0]


def test_the_recovery_is_a_trend_once_seven_points_rise(october):
    """42.1 < 58.1 < 70.9 < 83.0 < 86.1 < 89.0 < 91.0: seven points rising, a trend, an improvement;
    still 7 of the 12 months a baseline needs, so no limits and no assurance."""
    figure = _figure(october)
    assert "Special cause variation: improvement (rising) in the latest month" in text_of(figure)
    assert figure.count('class="pt-improvement"') == 7
    assert "Special cause improvement: April 2026 to October 2026 (42.1%, 58.1%, 70.9%, …), part of 7 or more " \
           "points rising or falling in a row." in text_of(figure)  # fmt: skip
    assert "Not enough months since the change in April 2026 for process limits: 7 of the 12 needed." in text_of(figure)
