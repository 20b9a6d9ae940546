-- One row per Trust expected (or seen) in the month: did a usable submission arrive?
-- A missing or unreadable submission fails the gate for its Trust: no data is not good data.
-- Only the system of record's submissions: a parallel-run extract (role parallel_*) is never the
-- Trust's submission, so it neither completes nor spoils the month, nor counts in its rows.
WITH current_subs AS (
    SELECT * FROM submissions
    WHERE reporting_month = getvariable('month') AND status IN ('loaded', 'unreadable')
      AND NOT starts_with(role, 'parallel_')
),
-- The expected providers; an extract naming another ODS code is reported as unreadable, never
-- scored as a Trust (unless no provider list is configured at all).
orgs AS (
    SELECT org_code FROM rule_providers
    UNION SELECT org_code FROM current_subs WHERE NOT EXISTS (SELECT 1 FROM rule_providers)
),
per_org AS (
    SELECT
        o.org_code,
        string_agg(DISTINCT s.source_system, '+' ORDER BY s.source_system) AS source_system,
        count(s.submission_id) AS files,
        count(*) FILTER (WHERE s.status = 'unreadable') AS unreadable_files,
        coalesce(sum(s.rows_read), 0) AS rows_read,
        coalesce(sum(s.rows_loaded), 0) AS rows_loaded,
        coalesce(sum(s.rows_quarantined), 0) AS rows_quarantined,
        string_agg(s.file_name || ': ' || s.error, '; ' ORDER BY s.file_name) FILTER (WHERE s.status = 'unreadable') AS errors,
        coalesce(bool_or(s.role = 'pregnancy' AND s.status = 'loaded'), false) AS has_pregnancy,
        coalesce(bool_or(s.role = 'clinical_events' AND s.status = 'loaded'), false) AS has_events
    FROM orgs AS o
    LEFT JOIN current_subs AS s USING (org_code)
    GROUP BY o.org_code
),
booked AS (
    SELECT org_code, count(*) AS bookings FROM bookings
    WHERE reporting_month = getvariable('month') GROUP BY org_code
)
SELECT
    getvariable('month') AS reporting_month,
    p.org_code,
    p.source_system,
    p.files,
    p.rows_read,
    p.rows_loaded,
    p.rows_quarantined,
    coalesce(b.bookings, 0) AS bookings,
    CASE
        WHEN p.files = 0 THEN 'missing'
        WHEN p.unreadable_files > 0 THEN 'unreadable'
        WHEN p.has_pregnancy <> p.has_events THEN 'incomplete'
        WHEN coalesce(b.bookings, 0) = 0 THEN 'empty'
        ELSE 'complete'
    END AS completeness,
    CASE
        WHEN p.files = 0 THEN 'no extract received'
        WHEN p.unreadable_files > 0 THEN p.errors
        WHEN p.has_pregnancy AND NOT p.has_events THEN 'Cerner clinical events file missing'
        WHEN p.has_events AND NOT p.has_pregnancy THEN 'Cerner pregnancy file missing'
        WHEN coalesce(b.bookings, 0) = 0 THEN 'no booking in the month could be loaded'
    END AS completeness_detail
FROM per_org AS p
LEFT JOIN booked AS b USING (org_code)
