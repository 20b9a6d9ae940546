-- Cerner clinical events (long format) -> one measurement per row in canonical units.
-- A reading whose unit does not convert to its measurement's unit (a height in kg) keeps a NULL
-- value: it cannot be a booking value.
SELECT
    r.reporting_month,
    r.org_code,
    r.submission_id,
    r.source_file,
    r._line AS source_line,
    r.pregnancy_key,
    ev.measurement,
    r.event_at,  -- as the raw contract read EVENT_END_DT_TM (pipelines/ingest/placement.py)
    CASE
        WHEN ev.measurement = 'smoking' THEN NULL
        -- rounded: 2.20 m x 100 is 220.00000000000003 in floating point, which a range check
        -- would call implausible; no reading is typed to more than six decimals. + 0.0: a reading of
        -- -0 is 0 (Spark's round, through BigDecimal, has no negative zero; DuckDB's keeps it)
        WHEN coalesce(u.to_unit, ev.unit) = ev.unit THEN round(decimal_number(r.result_value) * coalesce(u.factor, 1.0), 6) + 0.0
    END AS value_num,
    CASE WHEN ev.measurement = 'smoking' THEN s.status END AS value_text
FROM raw_cerner__clinical_events AS r
JOIN map_events AS ev ON ev.event = trim(r.event)
LEFT JOIN map_units AS u ON u.unit = trim(r.result_units)
LEFT JOIN map_smoking AS s ON s.system = 'Cerner' AND s.source_key = match_key(r.result_value)
