"""The gate's verdicts as JUnit XML, for CI systems that show test reports.

One test case per Trust and gated measure, named for people ("RKB: Valid postcode"). A failure
says the rate, the threshold, how many records short and where the worklist is; a Trust whose
submission is missing or unreadable fails as that (`missing_submission`, ...), not as a low rate.
The suite's time is the gate's wall time (running the month when it had to, then judging it);
Great Expectations validates every Trust of a month together, so a case has no time of its own:
each carries the suite's time shared evenly, so the cases add up to the suite.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from pipelines.core.files import write_atomically
from pipelines.gate.verdicts import GateVerdict


def failure_message(v: GateVerdict, worklist: Path | None) -> str:
    if v.completeness != "complete":
        return (
            f"{v.org_code} {v.title}: submission {v.completeness} ({v.detail}); "
            f"threshold {v.threshold:.0%} cannot be met without the Trust's data"
        )
    rate = "n/a" if v.rate is None else f"{v.rate:.1%}"
    where = f"; worklist: {worklist}" if worklist else ""
    return (
        f"{v.org_code} {v.title}: rate {rate} ({v.numerator:,} of {v.denominator:,} booked), "
        f"threshold {v.threshold:.0%}, {v.records_short:,} records short{where}"
    )


def write_junit(
    verdicts: list[GateVerdict],
    path: Path,
    month: str,
    worklists: dict[str, Path] | None = None,
    started: datetime | None = None,
    seconds: float = 0.0,
) -> Path:
    worklists = worklists or {}
    each = seconds / len(verdicts) if verdicts else 0.0
    suite = ET.Element(
        "testsuite",
        name=f"mdq gate {month}",
        tests=str(len(verdicts)),
        failures=str(sum(v.breach for v in verdicts)),
        errors="0",
        skipped="0",
        time=f"{seconds:.3f}",
        **({"timestamp": started.isoformat(timespec="seconds")} if started else {}),
    )
    for v in verdicts:
        case = ET.SubElement(
            suite, "testcase", classname=f"mdq.gate.{month}", name=f"{v.org_code}: {v.title}", time=f"{each:.3f}"
        )
        message = failure_message(v, worklists.get(v.org_code))
        if v.breach:
            failure = ET.SubElement(case, "failure", message=message, type=v.failure_type)
            failure.text = f"{message}\nmeasure {v.measure_id}, reporting month {month}"
        elif not v.passed:
            ET.SubElement(case, "system-out").text = "warning only: " + message
    root = ET.Element("testsuites")
    root.append(suite)
    write_atomically(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return path
