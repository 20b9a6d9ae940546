"""The warehouse must be on a filesystem this process and Spark's executors share at the same path.

Spark's executors write a step's staged tables; this process checks them, renames them into
place and reads them. With executors on other machines and a path only local to each, the staged
folder here is absent, or holds only the `_SUCCESS` marker the driver writes. Simulated here by
letting Spark write, then leaving at the staged path only what such a process would find. The
month stored before (trust_month_status: RJC and RKB, 10 bookings each) must stay as it was, and
the error must name the table, the month and the requirement.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.engines.test_parquet_warehouse import MONTH, _read, _status

pytestmark = pytest.mark.spark


@pytest.mark.parametrize(
    ("rows", "left", "wrote"),
    [
        (1, "nothing", "1 rows"),  # Spark Connect: the server's disk alone holds the folder
        (1, "_SUCCESS", "1 rows"),  # remote executors: the driver's marker alone
        (0, "_SUCCESS", "0 rows"),  # an empty month: would be committed as an empty month
    ],
)
def test_a_staged_table_this_process_cannot_see_commits_nothing(spark, tmp_path, monkeypatch, rows, left, wrote):
    from pyspark.sql.readwriter import DataFrameWriter

    from pipelines.core.engines.spark_models import spark_frame
    from pipelines.core.engines.spark_warehouse import StagingNotShared, month_commit, open_warehouse

    warehouse = tmp_path / "parquet"
    open_warehouse(warehouse)
    with month_commit(warehouse) as commit:
        commit.stage_frame("trust_month_status", MONTH, _status(MONTH, ["RKB", "RJC"], 10))
    real = DataFrameWriter.parquet

    def written_elsewhere(self, path, *args, **kwargs):
        real(self, path, *args, **kwargs)
        for item in Path(path).iterdir():
            if item.name != left:
                item.unlink()
        if left == "nothing":
            shutil.rmtree(path)

    monkeypatch.setattr(DataFrameWriter, "parquet", written_elsewhere)
    frame = spark_frame(spark, _status(MONTH, ["RLT"], 3).head(rows))
    unseen = pytest.raises(
        StagingNotShared,
        match=f"trust_month_status {MONTH}: Spark wrote {wrote} to .* but this process finds 0 Parquet files "
        r"there \(0 rows\): the warehouse must be on a filesystem this process and every Spark executor see "
        "at the same path",
    )
    with unseen, month_commit(warehouse) as commit:
        commit.stage_spark("trust_month_status", MONTH, frame)
    monkeypatch.undo()
    assert _read(warehouse)[0] == [("RJC", 10), ("RKB", 10)]
    assert not list((warehouse / "_commits").glob("*"))


def test_a_staged_table_spark_wrote_here_is_committed(spark, tmp_path):
    """The same write on a shared filesystem (local disk with local[2]): the month is the new one."""
    from pipelines.core.engines.spark_models import spark_frame
    from pipelines.core.engines.spark_warehouse import month_commit, open_warehouse

    warehouse = tmp_path / "parquet"
    open_warehouse(warehouse)
    with month_commit(warehouse) as commit:
        commit.stage_spark("trust_month_status", MONTH, spark_frame(spark, _status(MONTH, ["RLT"], 3)))
    assert _read(warehouse)[0] == [("RLT", 3)]
