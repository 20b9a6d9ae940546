-- Every flag-rate measure (rules file, kind: flag_rate) for the month, per Trust, overall and by
-- each breakdown, in one pass: unpivot the canonical flags, then GROUPING SETS. A Trust with
-- no usable submission still gets its overall rows (0 of 0) so the gate can fail it.
WITH month_bookings AS (
    SELECT * FROM bookings WHERE reporting_month = getvariable('month')
),
flags AS (
    UNPIVOT month_bookings
    ON COLUMNS(lambda c: list_contains(getvariable('measure_flags'), c))
    INTO NAME flag VALUE ok
),
counted AS (
    SELECT
        f.org_code,
        m.measure_id,
        CASE
            WHEN GROUPING(f.imd_decile) = 0 THEN 'imd_decile'
            WHEN GROUPING(f.imd_quintile) = 0 THEN 'imd_quintile'
            WHEN GROUPING(f.ethnic_group) = 0 THEN 'ethnic_group'
            WHEN GROUPING(f.ethnic_category) = 0 THEN 'ethnic_category'
            ELSE 'overall'
        END AS breakdown,
        CASE
            WHEN GROUPING(f.imd_decile) = 0 THEN coalesce(CAST(f.imd_decile AS VARCHAR), getvariable('not_known_label'))
            WHEN GROUPING(f.imd_quintile) = 0 THEN coalesce(CAST(f.imd_quintile AS VARCHAR), getvariable('not_known_label'))
            WHEN GROUPING(f.ethnic_group) = 0 THEN f.ethnic_group
            WHEN GROUPING(f.ethnic_category) = 0 THEN coalesce(f.ethnic_category, getvariable('not_known_label'))
            ELSE 'overall'
        END AS "group",
        count(*) FILTER (WHERE f.ok) AS numerator,
        count(*) AS denominator
    FROM flags AS f
    JOIN rule_measures AS m ON m.flag = f.flag
    GROUP BY GROUPING SETS (
        (f.org_code, m.measure_id),
        (f.org_code, m.measure_id, f.imd_decile),
        (f.org_code, m.measure_id, f.imd_quintile),
        (f.org_code, m.measure_id, f.ethnic_group),
        (f.org_code, m.measure_id, f.ethnic_category)
    )
),
with_empty_trusts AS (
    SELECT * FROM counted
    UNION ALL
    SELECT s.org_code, m.measure_id, 'overall', 'overall', 0, 0
    FROM trust_month_status AS s CROSS JOIN rule_measures AS m
    WHERE s.reporting_month = getvariable('month') AND s.bookings = 0
)
SELECT
    getvariable('month') AS reporting_month,
    c.org_code,
    s.source_system,
    c.measure_id,
    c.breakdown,
    c."group",
    c.numerator,
    c.denominator,
    CASE WHEN c.denominator > 0 THEN c.numerator / c.denominator END AS rate,
    CASE WHEN m.gated AND c.breakdown = 'overall' THEN m.threshold END AS threshold,
    CASE
        WHEN NOT m.gated OR c.breakdown <> 'overall' THEN 'not_gated'
        -- compared as a rate, exactly as Great Expectations compares its observed ratio with `mostly`
        WHEN s.completeness = 'complete' AND c.numerator / c.denominator >= m.threshold THEN 'pass'
        ELSE 'fail'
    END AS status,
    s.completeness,
    list_contains(m.degenerate_breakdowns, c.breakdown) AS degenerate,
    getvariable('imd_edition') AS imd_edition
FROM with_empty_trusts AS c
JOIN rule_measures AS m USING (measure_id)
JOIN trust_month_status AS s ON s.reporting_month = getvariable('month') AND s.org_code = c.org_code
ORDER BY c.org_code, m.measure_order, list_position(getvariable('breakdowns'), c.breakdown),
         TRY_CAST(c."group" AS INTEGER) NULLS LAST, c."group"
