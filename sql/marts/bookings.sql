-- Canonical bookings: every source standardised into one MSDS-aligned row per pregnancy booked
-- in the month, with the validity flags the measures count. Rules come from variables set from
-- checks/rules.yaml; reference joins give LSOA and IMD for the configured edition.
WITH unioned AS (
    SELECT * FROM stg_k2__bookings
    UNION ALL BY NAME SELECT * FROM stg_badgernet__bookings
    UNION ALL BY NAME SELECT * FROM stg_cerner__pregnancies
),
normalised AS (
    SELECT *, normalise_postcode(postcode_source) AS postcode FROM unioned
),
located AS (
    SELECT
        n.*,
        postcode_is_valid(n.postcode) AS postcode_valid,
        pc.lsoa_code
    FROM normalised AS n
    LEFT JOIN ref_postcodes AS pc
        ON pc.postcode = n.postcode AND pc.terminated IS NULL AND postcode_is_valid(n.postcode)
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
    in_range(l.gestation_days, getvariable('gestation_weeks_min') * 7, getvariable('gestation_weeks_max') * 7)
        AS gestation_valid,
    l.postcode,
    l.postcode_valid,
    l.lsoa_code,
    -- MSD_MOTHER_POSTCODE_LSOA: valid and found, live, with an LSOA (whether or not the IoD ranks it).
    l.lsoa_code IS NOT NULL AS postcode_has_lsoa,
    imd.imd_decile,
    CAST((imd.imd_decile + 1) // 2 AS INTEGER) AS imd_quintile,
    getvariable('imd_edition') AS imd_edition,
    l.ethnic_source,
    l.ethnic_category,
    coalesce(list_contains(getvariable('ethnic_valid_codes'), l.ethnic_category), false) AS ethnic_category_valid,
    coalesce(g.ethnic_group, getvariable('ethnic_not_known_group')) AS ethnic_group,
    l.height_cm,
    l.weight_kg,
    l.bmi,
    in_range(l.bmi, getvariable('bmi_min'), getvariable('bmi_max'))
        OR (in_range(l.height_cm, getvariable('height_cm_min'), getvariable('height_cm_max'))
            AND in_range(l.weight_kg, getvariable('weight_kg_min'), getvariable('weight_kg_max'))) AS bmi_recorded,
    l.smoking_status,
    coalesce(list_contains(getvariable('smoking_recorded'), l.smoking_status), false) AS smoking_recorded,
    l.co_ppm,
    in_range(l.co_ppm, getvariable('co_ppm_min'), getvariable('co_ppm_max')) AS co_recorded,
    l.nhs_number_valid
FROM located AS l
LEFT JOIN ref_imd AS imd ON imd.lsoa_code = l.lsoa_code
LEFT JOIN rule_ethnic_groups AS g ON g.code = l.ethnic_category
