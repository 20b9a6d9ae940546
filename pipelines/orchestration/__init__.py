"""Dagster wiring: the assets (thin, calling the stage packages), checks, job, partitions, resources, sensor, schedule, and the in-process runner the CLI uses."""
