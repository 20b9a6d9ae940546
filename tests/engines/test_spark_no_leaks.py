"""On Spark too, no patient identifier leaves the warehouse, and a run opens nothing to the network.

tests/reliability/test_no_leaks.py's twin for `--engine spark`: the Dagster job runs sample month
2026-04 (Cerner and BadgerNet) on Spark local[2], then every file written outside the warehouse
is scanned for the identifiers read from the extracts themselves (the same list: NHS numbers,
hospital numbers, Cerner person IDs, dates of birth, notes): the outputs, the Dagster instance,
Great Expectations' work folder, and what Spark itself writes on local disk (its shuffle files,
spills and cached blocks, under SPARK_LOCAL_DIRS: raw rows, read before pseudonymisation).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import dagster as dg
import pytest

from pipelines.core.paths import SAMPLE_DATA
from pipelines.definitions import defs
from pipelines.ingest.pseudonymise import ENV_KEY
from pipelines.orchestration.in_process import RunSettings
from tests.reliability.test_no_leaks import TOKEN, _identifiers

pytestmark = pytest.mark.spark
MONTH = "2026-04"


def _loopback(address) -> bool:
    try:
        return ipaddress.ip_address(address[0]).is_loopback
    except ValueError:
        return address[0] == "localhost"


@pytest.fixture(scope="module")
def spark_run(spark, spark_local_dir, tmp_path_factory):
    """(the run's folder, internet connections refused, frames still cached after the run)."""
    root = tmp_path_factory.mktemp("spark_leaks")
    settings = RunSettings(
        landing=SAMPLE_DATA,
        reference=SAMPLE_DATA / "reference",
        warehouse=root / "warehouse",
        out=root / "out",
        engine="spark",
    )
    refused = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        # Python reaches its own JVM over loopback (Py4J); nothing else may be reached.
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            refused.append(address)
            raise OSError(f"network blocked in test: {address}")
        return real_connect(self, address)

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", guarded)
    mp.delenv(ENV_KEY, raising=False)  # the sample folder is synthetic: the sample-only key
    try:
        (root / "dagster").mkdir()
        with dg.instance_for_test(temp_dir=str(root / "dagster")) as instance:
            result = defs.resolve_job_def("monthly_dq").execute_in_process(
                partition_key=MONTH, run_config=settings.run_config(), instance=instance
            )
        assert result.success
    finally:
        mp.undo()
    return root, refused, spark.sparkContext._jsc.getPersistentRDDs().size()


def test_no_identifier_outside_the_warehouse_on_spark(spark_run, spark_local_dir):
    """Every file of the run's folder but the warehouse, and every file Spark wrote on local disk."""
    root, _, _ = spark_run
    identifiers, notes = _identifiers()
    wanted = {i.replace(" ", "") for i in identifiers}
    assert len(identifiers) > 1000 and notes  # the scan has something to find
    files = [p for p in root.rglob("*") if p.is_file() and "warehouse" not in p.relative_to(root).parts]
    spilled = [p for p in Path(spark_local_dir).rglob("*") if p.is_file()]
    assert any(p.name.startswith("shuffle_") for p in spilled)  # Spark did write its rows to local disk
    for path in files + spilled:
        text = path.read_bytes().decode("utf-8", errors="replace")
        found = {t.replace(" ", "") for t in TOKEN.findall(text)} & wanted
        assert not found, f"{path} holds identifiers {sorted(found)[:5]}"
        for note in notes:
            assert note not in text, f"{path} holds a free-text note"
    assert len(files) >= 10


def test_no_cached_frame_outlives_its_month(spark_run):
    """Ingest caches the month's raw rows (NHS numbers, dates of birth) and its models; each
    step's month ends by dropping what it cached, so none is left after the run."""
    _, _, persisted = spark_run
    assert persisted == 0


def test_no_network_connection_attempted_on_spark(spark_run):
    _, refused, _ = spark_run
    assert refused == []


def test_the_driver_listens_on_loopback_only(spark):
    """With a local master the driver's RPC and block manager ports (and Py4J's) are bound to
    127.0.0.1: every socket the JVM listens on, from /proc, is a loopback address."""
    listening = _listening_addresses(spark.sparkContext._gateway.proc.pid)
    assert listening, "the JVM listens on something (its RPC port at least)"
    assert all(_is_loopback(a) for a in listening), listening
    conf = spark.sparkContext.getConf()
    assert (conf.get("spark.driver.bindAddress"), conf.get("spark.driver.host")) == ("127.0.0.1", "127.0.0.1")


def _is_loopback(text: str) -> bool:
    address = ipaddress.ip_address(text)
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback


def _listening_addresses(pid: int) -> list[str]:
    """The local addresses of the TCP sockets process ``pid`` listens on (/proc/net/tcp{,6})."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    addresses = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                raw = bytes.fromhex(fields[1].split(":")[0][:width])
                # /proc prints each 32-bit word of the address in the host's (little-endian) order.
                ordered = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                addresses.append(str(ipaddress.ip_address(ordered)))
    return addresses
