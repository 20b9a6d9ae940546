-- The month in the shape of NHS England's MSDS data-quality files (dq-YYYY-MM.csv): one row per
-- Trust x MSDS data item, the four-way split and its denominator, so the LMNS can set its figures
-- beside the national publication. Measures without an MSDS data item in the rules file (e.g.
-- the LSOA lookup, derived from the postcode) are left out. Reads the stored measures.
SELECT
    m.org_code AS Org_Code,
    r.msds_data_table AS DataTable,
    r.msds_uid AS UID,
    r.msds_data_item AS DataItem,
    m.valid AS Valid,
    m."default" AS "Default",
    m.invalid AS Invalid,
    m.missing AS Missing,
    m.denominator AS Denominator
FROM measures AS m
JOIN rule_measures AS r USING (measure_id)
WHERE m.reporting_month = getvariable('month') AND m.breakdown = 'overall' AND r.msds_uid IS NOT NULL
ORDER BY m.org_code, r.measure_order
