-- Records failing a gated measure in the month, for the Trust's data team to fix at source
-- before the MSDS submission closes. Records are found by file and line in the Trust's own
-- extract; only the pseudonymised key identifies them here. `value` is what was typed (so the
-- clerk finds it as it is), `normalised` what the measure judged, `class` its split class.
WITH month_bookings AS (
    SELECT * FROM bookings WHERE reporting_month = getvariable('month')
),
failing AS (
    SELECT
        b.*, 'MSD_MOTHER_POSTCODE_VALID' AS measure_id,
        coalesce(b.postcode_source, '') AS value,
        coalesce(b.postcode, '') AS normalised,
        b.postcode_class AS "class",
        CASE
            WHEN b.postcode_class = 'missing' THEN 'postcode blank or a null token'
            WHEN b.postcode_class = 'default' THEN 'pseudo postcode (no fixed abode, not known or overseas)'
            WHEN getvariable('postcode_validity') = 'format' OR pc.postcode IS NULL THEN
                CASE WHEN regexp_full_match(b.postcode, getvariable('postcode_format_regex'))
                     THEN 'not in the postcode directory' ELSE 'not a UK postcode format' END
            WHEN pc.introduced > yyyymm(b.reporting_month) THEN 'not yet introduced in the month (postcode directory: from ' || pc.introduced || ')'
            ELSE 'terminated before the month (postcode directory: ' || pc.terminated || ')'
        END AS reason
    FROM month_bookings AS b
    LEFT JOIN ref_postcodes AS pc ON pc.postcode = b.postcode
    WHERE b.postcode_class <> 'valid'
    UNION ALL
    SELECT
        b.*, 'MSD_MOTHER_ETHNIC_VALID',
        coalesce(b.ethnic_source, ''),
        coalesce(b.ethnic_category, ''),
        b.ethnic_category_class,
        CASE
            WHEN b.ethnic_category_class = 'missing' THEN 'ethnic category blank'
            WHEN b.ethnic_category IS NULL THEN 'source value maps to no NHS ethnic category'
            ELSE 'ethnic category ' || b.ethnic_category || ' is not a stated category'
        END
    FROM month_bookings AS b WHERE b.ethnic_category_class <> 'valid'
)
SELECT
    f.reporting_month, f.org_code, f.source_system, f.measure_id, f.pregnancy_key,
    f.source_file, f.source_line, f.booking_date, f.value, f.normalised, f."class", f.reason
FROM failing AS f
JOIN rule_measures AS m ON m.measure_id = f.measure_id AND m.gated
ORDER BY f.org_code, f.measure_id, f.source_file, f.source_line
