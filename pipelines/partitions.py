"""Monthly partitions: one per MSDS reporting month, keyed YYYY-MM, from the sample's first month."""

import dagster as dg

FIRST_MONTH = "2025-04"

monthly = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m")
