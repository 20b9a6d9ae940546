-- Every flag-rate measure (rules file, kind: flag_rate) for the month, per Trust, overall and by
-- each breakdown, in one pass: GROUPING SETS count the four classes (valid / default / invalid /
-- missing) of every class column at once (count_if: a histogram() per column was 9x slower on
-- 650,000 rows), then the few thousand counted rows are unpivoted to one row per measure
-- (unpivoting the bookings first would multiply the rows grouped by the number of measures). The numerator is the valid count. A Trust with no usable submission still gets its
-- overall rows (0 of 0) so the gate can fail it. Classes are never NULL (canonical contract), so
-- the four counts and count(*) share one population.
WITH grouped AS (
    SELECT
        org_code,
        CASE
            WHEN GROUPING(imd_decile) = 0 THEN 'imd_decile'
            WHEN GROUPING(imd_quintile) = 0 THEN 'imd_quintile'
            WHEN GROUPING(ethnic_group) = 0 THEN 'ethnic_group'
            WHEN GROUPING(ethnic_category) = 0 THEN 'ethnic_category'
            ELSE 'overall'
        END AS breakdown,
        CASE
            WHEN GROUPING(imd_decile) = 0 THEN coalesce(CAST(imd_decile AS VARCHAR), getvariable('not_known_label'))
            WHEN GROUPING(imd_quintile) = 0 THEN coalesce(CAST(imd_quintile AS VARCHAR), getvariable('not_known_label'))
            WHEN GROUPING(ethnic_group) = 0 THEN ethnic_group
            WHEN GROUPING(ethnic_category) = 0 THEN coalesce(ethnic_category, getvariable('not_known_label'))
            ELSE 'overall'
        END AS "group",
        count(*) AS denominator,
        count_if(COLUMNS(getvariable('measure_class_pattern')) = 'valid') AS '\0__valid',
        count_if(COLUMNS(getvariable('measure_class_pattern')) = 'default') AS '\0__default',
        count_if(COLUMNS(getvariable('measure_class_pattern')) = 'invalid') AS '\0__invalid',
        count_if(COLUMNS(getvariable('measure_class_pattern')) = 'missing') AS '\0__missing'
    FROM bookings
    WHERE reporting_month = getvariable('month')
    GROUP BY GROUPING SETS (
        (org_code),
        (org_code, imd_decile),
        (org_code, imd_quintile),
        (org_code, ethnic_group),
        (org_code, ethnic_category)
    )
),
split AS (
    -- '<class column>__<class>' -> one row per measure with its four counts
    SELECT
        f.org_code, m.measure_id, f.breakdown, f."group", f.denominator,
        CAST(sum(f.n) FILTER (WHERE split_part(f.name, '__', 2) = 'valid') AS BIGINT) AS valid,
        CAST(sum(f.n) FILTER (WHERE split_part(f.name, '__', 2) = 'default') AS BIGINT) AS "default",
        CAST(sum(f.n) FILTER (WHERE split_part(f.name, '__', 2) = 'invalid') AS BIGINT) AS invalid,
        CAST(sum(f.n) FILTER (WHERE split_part(f.name, '__', 2) = 'missing') AS BIGINT) AS missing
    FROM (
        UNPIVOT grouped
        ON COLUMNS('__(valid|default|invalid|missing)$')
        INTO NAME name VALUE n
    ) AS f
    JOIN rule_measures AS m ON m.class_column = split_part(f.name, '__', 1)
    GROUP BY ALL
),
counted AS (
    SELECT *, valid AS numerator FROM split
),
with_empty_trusts AS (
    SELECT * FROM counted
    UNION ALL BY NAME
    SELECT s.org_code, m.measure_id, 'overall' AS breakdown, 'overall' AS "group", 0 AS denominator,
           0 AS valid, 0 AS "default", 0 AS invalid, 0 AS missing, 0 AS numerator
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
    getvariable('imd_edition') AS imd_edition,
    c.valid,
    c."default",
    c.invalid,
    c.missing
FROM with_empty_trusts AS c
JOIN rule_measures AS m USING (measure_id)
JOIN trust_month_status AS s ON s.reporting_month = getvariable('month') AND s.org_code = c.org_code
ORDER BY c.org_code, m.measure_order, list_position(getvariable('breakdowns'), c.breakdown),
         TRY_CAST(c."group" AS INTEGER) NULLS LAST, c."group"
