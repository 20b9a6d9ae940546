-- golive-YYYY-MM.csv and the stored `golive` table: per Trust and parallel system, one
-- `pregnancies` row (linked, only_in_record, only_in_parallel, unlinkable; linked x 2 + the other
-- three = the pregnancies of both extracts) and one row per reconciled data item (the linked pairs
-- by outcome, which sum to linked). Only Trust-months with a parallel run have rows.
WITH record_system AS (
    -- The system of record that sent the month's submission (parallel roles are parallel_*).
    SELECT org_code, string_agg(DISTINCT source_system, '+' ORDER BY source_system) AS system_of_record
    FROM submissions
    WHERE reporting_month = getvariable('month') AND status IN ('loaded', 'unreadable')
      AND NOT starts_with(role, 'parallel_')
    GROUP BY org_code
),
runs AS (
    SELECT DISTINCT org_code, parallel_system FROM golive_sides
),
coverage AS (
    SELECT
        org_code,
        parallel_system,
        'pregnancies' AS data_item,
        -1 AS item_order,
        count(*) FILTER (WHERE link = 'linked') AS linked,
        count(*) FILTER (WHERE link = 'only_in_record') AS only_in_record,
        count(*) FILTER (WHERE link = 'only_in_parallel') AS only_in_parallel,
        count(*) FILTER (WHERE link = 'unlinkable') AS unlinkable,
        count(*) FILTER (WHERE link = 'unlinkable' AND record_line IS NOT NULL) AS unlinkable_in_record,
        count(*) FILTER (WHERE link = 'unlinkable' AND parallel_line IS NOT NULL) AS unlinkable_in_parallel
    FROM golive_links
    GROUP BY ALL
),
outcomes AS (
    SELECT
        org_code,
        parallel_system,
        measure_id,
        count(*) AS linked,
        count(*) FILTER (WHERE outcome = 'both_valid_same') AS both_valid_same,
        count(*) FILTER (WHERE outcome = 'both_valid_different') AS both_valid_different,
        count(*) FILTER (WHERE outcome = 'valid_only_in_record') AS valid_only_in_record,
        count(*) FILTER (WHERE outcome = 'valid_only_in_parallel') AS valid_only_in_parallel,
        count(*) FILTER (WHERE outcome = 'neither_valid') AS neither_valid
    FROM golive_items
    GROUP BY ALL
),
items AS (
    -- Every item for every run, 0 of 0 when no pregnancy linked.
    SELECT
        r.org_code,
        r.parallel_system,
        i.measure_id AS data_item,
        i.item_order,
        coalesce(o.linked, 0) AS linked,
        coalesce(o.both_valid_same, 0) AS both_valid_same,
        coalesce(o.both_valid_different, 0) AS both_valid_different,
        coalesce(o.valid_only_in_record, 0) AS valid_only_in_record,
        coalesce(o.valid_only_in_parallel, 0) AS valid_only_in_parallel,
        coalesce(o.neither_valid, 0) AS neither_valid
    FROM runs AS r
    CROSS JOIN rule_golive_items AS i
    LEFT JOIN outcomes AS o
        ON o.org_code = r.org_code AND o.parallel_system = r.parallel_system AND o.measure_id = i.measure_id
)
SELECT
    getvariable('month') AS reporting_month,
    u.org_code,
    s.system_of_record,
    u.parallel_system,
    u.data_item,
    CAST(u.linked AS BIGINT) AS linked,
    CAST(u.both_valid_same AS BIGINT) AS both_valid_same,
    CAST(u.both_valid_different AS BIGINT) AS both_valid_different,
    CAST(u.valid_only_in_record AS BIGINT) AS valid_only_in_record,
    CAST(u.valid_only_in_parallel AS BIGINT) AS valid_only_in_parallel,
    CAST(u.neither_valid AS BIGINT) AS neither_valid,
    CAST(u.only_in_record AS BIGINT) AS only_in_record,
    CAST(u.only_in_parallel AS BIGINT) AS only_in_parallel,
    CAST(u.unlinkable AS BIGINT) AS unlinkable,
    CAST(u.unlinkable_in_record AS BIGINT) AS unlinkable_in_record,
    CAST(u.unlinkable_in_parallel AS BIGINT) AS unlinkable_in_parallel
FROM (
    SELECT * FROM coverage
    UNION ALL BY NAME
    SELECT * FROM items
) AS u
LEFT JOIN record_system AS s USING (org_code)
ORDER BY u.org_code, u.parallel_system, u.item_order
