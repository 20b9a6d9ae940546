-- Cerner pregnancies joined to their booking values: for each measurement, the reading closest
-- to the booking date, on or before the window's days after it (source-layouts.md).
WITH readings AS (
    SELECT
        p.pregnancy_key,
        e.measurement,
        e.value_num,
        e.value_text,
        t.smoking_typed,
        row_number() OVER (
            PARTITION BY p.pregnancy_key, e.measurement
            ORDER BY abs(date_diff('second', p.booking_at, e.event_at)), e.event_at DESC, e.source_line
        ) AS closeness
    FROM raw_cerner__pregnancies AS p
    JOIN stg_cerner__clinical_events AS e
        ON e.pregnancy_key = p.pregnancy_key
       AND e.event_at <= p.booking_at + to_days(getvariable('cerner_booking_window_days'))
    -- A smoking status as typed: text no layout maps is a recorded status (invalid), not a missing one.
    LEFT JOIN (
        SELECT submission_id, _line, nullif(trim_white_space(result_value), '') AS smoking_typed
        FROM raw_cerner__clinical_events
    ) AS t
        ON e.measurement = 'smoking' AND t.submission_id = e.submission_id AND t._line = e.source_line
    WHERE e.value_num IS NOT NULL OR e.value_text IS NOT NULL OR t.smoking_typed IS NOT NULL
),
booking_values AS (
    SELECT
        pregnancy_key,
        max(value_num) FILTER (WHERE measurement = 'height_cm') AS height_cm,
        max(value_num) FILTER (WHERE measurement = 'weight_kg') AS weight_kg,
        max(value_num) FILTER (WHERE measurement = 'bmi') AS bmi,
        max(value_text) FILTER (WHERE measurement = 'smoking') AS smoking_status,
        max(smoking_typed) FILTER (WHERE measurement = 'smoking') AS smoking_source,
        max(value_num) FILTER (WHERE measurement = 'co_ppm') AS co_ppm
    FROM readings
    WHERE closeness = 1
    GROUP BY pregnancy_key
)
SELECT
    r.reporting_month,
    r.org_code,
    'Cerner' AS source_system,
    r.submission_id,
    r.source_file,
    r._line AS source_line,
    r.pregnancy_key,
    r.person_key,
    r.booking_date_parsed AS booking_date,
    r.site_code,
    whole_days(r.gestation) AS gestation_days,
    r.postcode AS postcode_source,
    r.ethnic_source,
    e.code AS ethnic_category,
    v.height_cm,
    v.weight_kg,
    v.bmi,
    v.smoking_status,
    v.co_ppm,
    r.nhs_number_valid,
    r.nhs_number_class,
    -- as sent; the clinical events' junk was quarantined, so a reading is recorded when it has a
    -- value (or, for smoking, any text)
    r.gestation AS gestation_source,
    v.smoking_source
FROM raw_cerner__pregnancies AS r
LEFT JOIN booking_values AS v ON v.pregnancy_key = r.pregnancy_key
LEFT JOIN map_ethnic AS e ON e.system = 'Cerner' AND e.source_key = match_key(r.ethnic_source)
