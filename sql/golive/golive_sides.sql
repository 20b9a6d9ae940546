-- The two extracts of each Trust-month that has a parallel run, one row per pregnancy of either:
-- the system of record's (stored `bookings`, side 'record') and the parallel run's
-- (`parallel_bookings`, side 'parallel'), once per parallel system the Trust sent.
-- A pregnancy can be linked only through a valid NHS number (nhs_number_class = 'valid': a blank,
-- invalid or placeholder number gives no person key to link on). A woman whose key occurs more
-- than once in one extract is paired one-to-one in a stated order: her pregnancies on each side are
-- numbered by booking date, then line in the file (`occurrence`), and the n-th on one side pairs
-- with the n-th on the other (sql/golive/golive_links.sql).
WITH parallel AS (
    SELECT *, 'parallel' AS side, source_system AS parallel_system
    FROM parallel_bookings
    WHERE reporting_month = getvariable('month')
),
runs AS (
    SELECT DISTINCT org_code, parallel_system FROM parallel
),
record AS (
    SELECT b.*, 'record' AS side, r.parallel_system
    FROM bookings AS b
    JOIN runs AS r USING (org_code)
    WHERE b.reporting_month = getvariable('month')
),
sides AS (
    SELECT * FROM record
    UNION ALL BY NAME
    SELECT * FROM parallel
)
SELECT
    *,
    -- The BMI compared: as recorded when plausible, else derived from plausible height and weight,
    -- as MSD_BMI_RECORDED counts it valid (sql/marts/bookings.sql).
    CASE
        WHEN in_range(bmi, getvariable('bmi_min'), getvariable('bmi_max')) THEN bmi
        WHEN in_range(height_cm, getvariable('height_cm_min'), getvariable('height_cm_max'))
             AND in_range(weight_kg, getvariable('weight_kg_min'), getvariable('weight_kg_max'))
        THEN weight_kg / ((height_cm / 100) * (height_cm / 100))
    END AS bmi_at_booking,
    coalesce(nhs_number_class = 'valid' AND person_key IS NOT NULL, false) AS linkable,
    row_number() OVER (
        PARTITION BY org_code, parallel_system, side, person_key, coalesce(nhs_number_class = 'valid', false)
        ORDER BY booking_date, source_line, submission_id
    ) AS occurrence
FROM sides
