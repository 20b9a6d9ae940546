-- Before and after a Trust's latest change of system of record, from the stored measure history
-- (overall rows up to getvariable('month')): per Trust that changed and per measure of the rules
-- file, the months before the change pooled into one row (period 'before': the run of months on
-- the previous system, back to the change before it if there was one) and one row per month since
-- (period 'YYYY-MM'), each with the valid / default / invalid / missing split. The system of a
-- month is its stored source_system (the system of record loaded: a parallel run never reaches the
-- measures); months with no submission are left out. The scorecard's SPC limits restart from it.
WITH history AS (
    SELECT reporting_month, org_code, source_system, measure_id, numerator, denominator,
           valid, "default", invalid, missing
    FROM measures
    WHERE breakdown = 'overall' AND reporting_month <= getvariable('month') AND source_system IS NOT NULL
),
systems AS (
    SELECT DISTINCT org_code, reporting_month, source_system FROM history
),
steps AS (
    SELECT *, lag(source_system) OVER (PARTITION BY org_code ORDER BY reporting_month) AS previous_system
    FROM systems
),
changes AS (
    SELECT org_code, reporting_month, previous_system FROM steps WHERE source_system <> previous_system
),
latest AS (
    SELECT org_code, max(reporting_month) AS change_month FROM changes GROUP BY org_code
),
windows AS (
    -- the previous system's run of months: from the change before the latest (or the start)
    SELECT
        l.org_code,
        l.change_month,
        c.previous_system,
        (SELECT max(e.reporting_month) FROM changes AS e
         WHERE e.org_code = l.org_code AND e.reporting_month < l.change_month) AS previous_change
    FROM latest AS l
    JOIN changes AS c ON c.org_code = l.org_code AND c.reporting_month = l.change_month
),
periods AS (
    SELECT
        h.*,
        w.change_month,
        CASE WHEN h.reporting_month < w.change_month THEN 'before' ELSE h.reporting_month END AS period
    FROM history AS h
    JOIN windows AS w USING (org_code)
    WHERE h.reporting_month >= coalesce(w.previous_change, '')
)
SELECT
    p.org_code,
    p.measure_id,
    p.period,
    any_value(p.change_month) AS change_month,
    string_agg(DISTINCT p.source_system, '+' ORDER BY p.source_system) AS source_system,
    min(p.reporting_month) AS first_month,
    max(p.reporting_month) AS last_month,
    count(*) AS months,
    CAST(sum(p.numerator) AS BIGINT) AS numerator,
    CAST(sum(p.denominator) AS BIGINT) AS denominator,
    CASE WHEN sum(p.denominator) > 0 THEN sum(p.numerator) / sum(p.denominator) END AS rate,
    CAST(sum(p.valid) AS BIGINT) AS valid,
    CAST(sum(p."default") AS BIGINT) AS "default",
    CAST(sum(p.invalid) AS BIGINT) AS invalid,
    CAST(sum(p.missing) AS BIGINT) AS missing
FROM periods AS p
JOIN rule_measures AS m USING (measure_id)
GROUP BY p.org_code, p.measure_id, p.period, m.measure_order
ORDER BY p.org_code, m.measure_order, p.period = 'before' DESC, p.period
