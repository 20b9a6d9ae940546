-- Records failing a gated measure in the month, for the Trust's data team to fix at source
-- before the MSDS submission closes. Records are found by file and line in the Trust's own
-- extract; only the pseudonymised key identifies them here.
WITH month_bookings AS (
    SELECT * FROM bookings WHERE reporting_month = getvariable('month')
),
failing AS (
    SELECT
        b.*, 'MSD_MOTHER_POSTCODE_VALID' AS measure_id,
        coalesce(b.postcode, '') AS value,
        CASE
            WHEN b.postcode IS NULL THEN 'postcode blank or a null token'
            WHEN list_contains(getvariable('postcode_pseudo_outward'), split_part(b.postcode, ' ', 1))
                THEN 'pseudo postcode (no fixed abode, not known or overseas)'
            ELSE 'not a UK postcode format'
        END AS reason
    FROM month_bookings AS b WHERE NOT b.postcode_valid
    UNION ALL
    SELECT
        b.*, 'MSD_MOTHER_ETHNIC_VALID',
        coalesce(b.ethnic_source, ''),
        CASE
            WHEN b.ethnic_source IS NULL THEN 'ethnic category blank'
            WHEN b.ethnic_category IS NULL THEN 'source value maps to no NHS ethnic category'
            ELSE 'ethnic category ' || b.ethnic_category || ' is not a stated category'
        END
    FROM month_bookings AS b WHERE NOT b.ethnic_category_valid
)
SELECT
    f.reporting_month, f.org_code, f.source_system, f.measure_id, f.pregnancy_key,
    f.source_file, f.source_line, f.booking_date, f.value, f.reason
FROM failing AS f
JOIN rule_measures AS m ON m.measure_id = f.measure_id AND m.gated
ORDER BY f.org_code, f.measure_id, f.source_file, f.source_line
