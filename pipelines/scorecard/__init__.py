"""The HTML scorecard: one self-contained page per month, read from the warehouse's stored tables.

    write_scorecard(con, month, out_dir, data_docs=None, worklists=None, run_started=None) -> Path

writes out_dir/scorecard-YYYY-MM.html atomically. Modules: data (stored tables -> a polars frame
and dataclasses), spc (XmR / Making Data Count, one process at a time), disclosure (the
small-number policy), cells (which breakdown figures are shown), secondary and bounds (secondary
suppression: what a reader could difference out), findings (where data quality is worst, on funnel
limits), story (each Trust's month in words), charts (inline SVG), labels (month names, anchors, file
names), tiles (the headline tiles), trends (the SPC chart, summary and data table per Trust and
measure), breakdowns (the IMD and ethnicity tables, rendered for every Trust at once), golive_section
(the go-live assurance section), page (the view model: build_page) and render (render_scorecard,
write_scorecard: data -> page -> template).
"""

from pipelines.scorecard.render import render_scorecard, write_scorecard

__all__ = ["render_scorecard", "write_scorecard"]
