-- Each linked pair (sql/golive/golive_links.sql) on each reconciled data item (rules file: measures
-- with `reconcile`), in exactly one outcome. "Valid" is the measure's own class (its class column,
-- = 'valid'); "same" compares the canonical value the rules name (`reconcile.value`), rounded to
-- `reconcile.decimals` places when given. The class and value columns are read by name from the
-- rules (rule_golive_items), unpivoted to one row per pregnancy and item, NULLs kept.
WITH classes AS (
    UNPIVOT (
        SELECT side, parallel_system, submission_id, source_line, COLUMNS(getvariable('golive_class_pattern'))
        FROM golive_sides
    )
    ON COLUMNS(getvariable('golive_class_pattern'))
    INTO NAME class_column VALUE class
),
raw_values AS (
    -- a value may be NULL (a missing item): kept, so every pregnancy has each item's value
    SELECT * FROM (
        SELECT side, parallel_system, submission_id, source_line,
               CAST(COLUMNS(getvariable('golive_value_pattern')) AS VARCHAR) AS '\0'
        FROM golive_sides
    ) UNPIVOT INCLUDE NULLS (value FOR value_column IN (COLUMNS(getvariable('golive_value_pattern'))))
),
judged AS (
    SELECT
        c.side, c.parallel_system, c.submission_id, c.source_line, i.measure_id, c.class,
        CASE
            WHEN i.decimals IS NULL THEN v.value
            ELSE CAST(round(TRY_CAST(v.value AS DOUBLE), i.decimals) AS VARCHAR)
        END AS value
    FROM classes AS c
    JOIN rule_golive_items AS i ON i.class_column = c.class_column
    JOIN raw_values AS v
        ON v.side = c.side AND v.parallel_system = c.parallel_system
       AND v.submission_id = c.submission_id AND v.source_line = c.source_line
       AND v.value_column = i.value_column
)
SELECT
    l.org_code,
    l.parallel_system,
    r.measure_id,
    CASE
        WHEN r.class = 'valid' AND p.class = 'valid' AND r.value IS NOT DISTINCT FROM p.value THEN 'both_valid_same'
        WHEN r.class = 'valid' AND p.class = 'valid' THEN 'both_valid_different'
        WHEN r.class = 'valid' THEN 'valid_only_in_record'
        WHEN p.class = 'valid' THEN 'valid_only_in_parallel'
        ELSE 'neither_valid'
    END AS outcome
FROM golive_links AS l
JOIN judged AS r
    ON r.side = 'record' AND r.parallel_system = l.parallel_system
   AND r.submission_id = l.record_submission_id AND r.source_line = l.record_line
JOIN judged AS p
    ON p.side = 'parallel' AND p.parallel_system = l.parallel_system
   AND p.submission_id = l.parallel_submission_id AND p.source_line = l.parallel_line
   AND p.measure_id = r.measure_id
WHERE l.link = 'linked'
