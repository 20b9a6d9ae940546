-- Canonical bookings: every source standardised into one MSDS-aligned row per pregnancy booked
-- in the month, with each measure's class (valid / default / invalid / missing, measures.md) and
-- its numerator flag (class = 'valid'). Rules come from variables set from checks/rules.yaml;
-- reference joins give LSOA and IMD for the configured edition.
WITH unioned AS (
    SELECT * FROM stg_k2__bookings
    UNION ALL BY NAME SELECT * FROM stg_badgernet__bookings
    UNION ALL BY NAME SELECT * FROM stg_cerner__pregnancies
),
normalised AS (
    SELECT *, normalise_postcode(postcode_source) AS postcode FROM unioned
),
located AS (
    -- ref_postcodes holds one row per postcode, so the join cannot multiply bookings.
    SELECT
        n.*,
        postcode_class(n.postcode, pc.postcode IS NOT NULL) AS postcode_class,
        pc.lsoa_code AS directory_lsoa
    FROM normalised AS n
    LEFT JOIN ref_postcodes AS pc
        ON pc.postcode = n.postcode
       AND postcode_live_in(pc.introduced, pc.terminated, yyyymm(n.reporting_month))
),
classed AS (
    SELECT
        l.*,
        CASE
            WHEN l.postcode_class = 'valid' AND regexp_full_match(l.directory_lsoa, getvariable('lsoa_code_pattern'))
            THEN l.directory_lsoa
        END AS lsoa_code,
        CASE
            WHEN match_key(l.ethnic_source) IS NULL THEN 'missing'
            WHEN list_contains(getvariable('ethnic_valid_codes'), l.ethnic_category) THEN 'valid'
            WHEN list_contains(getvariable('ethnic_default_codes'), l.ethnic_category) THEN 'default'
            ELSE 'invalid'
        END AS ethnic_category_class,
        range_class(l.gestation_days, l.gestation_source,
                    getvariable('gestation_weeks_min') * 7, getvariable('gestation_weeks_max') * 7) AS gestation_class,
        CASE
            WHEN in_range(l.bmi, getvariable('bmi_min'), getvariable('bmi_max'))
                 OR (in_range(l.height_cm, getvariable('height_cm_min'), getvariable('height_cm_max'))
                     AND in_range(l.weight_kg, getvariable('weight_kg_min'), getvariable('weight_kg_max'))) THEN 'valid'
            -- recorded: a BMI, or both measurements it could be derived from
            WHEN is_recorded(l.bmi, l.bmi_source)
                 OR (is_recorded(l.height_cm, l.height_source) AND is_recorded(l.weight_kg, l.weight_source)) THEN 'invalid'
            ELSE 'missing'
        END AS bmi_class,
        CASE
            WHEN list_contains(getvariable('smoking_recorded'), l.smoking_status) THEN 'valid'
            WHEN list_contains(getvariable('smoking_default'), l.smoking_status) THEN 'default'
            WHEN is_recorded(l.smoking_status, l.smoking_source) THEN 'invalid'
            ELSE 'missing'
        END AS smoking_class,
        range_class(l.co_ppm, l.co_source, getvariable('co_ppm_min'), getvariable('co_ppm_max')) AS co_class
    FROM located AS l
)
SELECT
    l.reporting_month,
    l.org_code,
    l.source_system,
    l.submission_id,
    l.source_file,
    l.source_line,
    l.pregnancy_key,
    l.person_key,
    l.booking_date,
    l.site_code,
    l.gestation_days,
    l.gestation_class,
    l.gestation_class = 'valid' AS gestation_valid,
    l.postcode_source,
    l.postcode,
    l.postcode_class,
    l.postcode_class = 'valid' AS postcode_valid,
    l.lsoa_code,
    -- MSD_MOTHER_POSTCODE_LSOA: valid, live, with an LSOA (whether or not the IoD ranks it); a
    -- Scottish data zone or a pseudo area code is no LSOA (rules file: imd.lsoa_code_pattern).
    CASE
        WHEN l.lsoa_code IS NOT NULL THEN 'valid'
        WHEN l.postcode_class IN ('missing', 'default') THEN l.postcode_class
        ELSE 'invalid'
    END AS postcode_lsoa_class,
    l.lsoa_code IS NOT NULL AS postcode_has_lsoa,
    imd.imd_decile,
    CAST((imd.imd_decile + 1) // 2 AS INTEGER) AS imd_quintile,
    getvariable('imd_edition') AS imd_edition,
    l.ethnic_source,
    l.ethnic_category,
    l.ethnic_category_class,
    l.ethnic_category_class = 'valid' AS ethnic_category_valid,
    coalesce(g.ethnic_group, getvariable('ethnic_not_known_group')) AS ethnic_group,
    l.height_cm,
    l.weight_kg,
    l.bmi,
    l.bmi_class,
    l.bmi_class = 'valid' AS bmi_recorded,
    l.smoking_status,
    l.smoking_class,
    l.smoking_class = 'valid' AS smoking_recorded,
    l.co_ppm,
    l.co_class,
    l.co_class = 'valid' AS co_recorded,
    l.nhs_number_class,
    l.nhs_number_class = 'valid' AS nhs_number_valid
FROM classed AS l
LEFT JOIN ref_imd AS imd ON imd.lsoa_code = l.lsoa_code
LEFT JOIN rule_ethnic_groups AS g ON g.code = l.ethnic_category
