"""The gate's verdicts as JUnit XML, for CI systems that show test reports."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from pipelines.core.files import write_atomically
from pipelines.gate.verdicts import GateVerdict


def write_junit(verdicts: list[GateVerdict], path: Path, month: str) -> Path:
    suite = ET.Element(
        "testsuite",
        name=f"mdq gate {month}",
        tests=str(len(verdicts)),
        failures=str(sum(v.breach for v in verdicts)),
        errors="0",
        skipped="0",
    )
    for v in verdicts:
        case = ET.SubElement(suite, "testcase", classname=f"mdq.{month}.{v.org_code}", name=v.measure_id)
        if v.breach:
            ET.SubElement(case, "failure", message=v.describe(), type="threshold_breach").text = v.describe()
        elif not v.passed:
            ET.SubElement(case, "system-out").text = "warning only: " + v.describe()
    root = ET.Element("testsuites")
    root.append(suite)
    write_atomically(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return path
