-- Every pregnancy of either extract counted once (sql/golive/golive_sides.sql): a linked pair (the
-- n-th pregnancy of a person key on the record side with the n-th on the parallel side), only in
-- the system of record, only in the parallel extract, or unlinkable (no valid NHS number). One row
-- per pair or single pregnancy, with the (submission, line) of each side it holds.
WITH linkable_record AS (
    SELECT * FROM golive_sides WHERE side = 'record' AND linkable
),
linkable_parallel AS (
    SELECT * FROM golive_sides WHERE side = 'parallel' AND linkable
)
SELECT
    coalesce(r.org_code, p.org_code) AS org_code,
    coalesce(r.parallel_system, p.parallel_system) AS parallel_system,
    CASE
        WHEN r.submission_id IS NULL THEN 'only_in_parallel'
        WHEN p.submission_id IS NULL THEN 'only_in_record'
        ELSE 'linked'
    END AS link,
    r.submission_id AS record_submission_id,
    r.source_line AS record_line,
    p.submission_id AS parallel_submission_id,
    p.source_line AS parallel_line
FROM linkable_record AS r
FULL JOIN linkable_parallel AS p
    ON p.org_code = r.org_code
   AND p.parallel_system = r.parallel_system
   AND p.person_key = r.person_key
   AND p.occurrence = r.occurrence
UNION ALL
SELECT
    org_code,
    parallel_system,
    'unlinkable' AS link,
    CASE WHEN side = 'record' THEN submission_id END,
    CASE WHEN side = 'record' THEN source_line END,
    CASE WHEN side = 'parallel' THEN submission_id END,
    CASE WHEN side = 'parallel' THEN source_line END
FROM golive_sides
WHERE NOT linkable
