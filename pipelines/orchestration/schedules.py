"""Monthly schedule for the routine run, on the 10th at 06:00 for the month just ended.

MSDS submissions for a month close in the following month; the 10th gives Trusts time to land
their extracts. Off by default like the sensor; switch it on in the UI for production use.
"""

import dagster as dg

from pipelines.orchestration.jobs import monthly_dq_job

monthly_schedule = dg.build_schedule_from_partitioned_job(
    monthly_dq_job,
    day_of_month=10,
    hour_of_day=6,
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
