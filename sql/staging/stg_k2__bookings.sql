-- K2 Athena bookings -> canonical column names and units. Gestation arrives as weeks+days.
SELECT
    r.reporting_month,
    r.org_code,
    'K2' AS source_system,
    r.submission_id,
    r.source_file,
    r._line AS source_line,
    r.pregnancy_key,
    r.person_key,
    r.booking_date_parsed AS booking_date,
    r.site_code,
    CASE WHEN regexp_full_match(trim(r.gestation), '\d{1,2}\+[0-6]')
         THEN CAST(split_part(trim(r.gestation), '+', 1) AS INTEGER) * 7
              + CAST(split_part(trim(r.gestation), '+', 2) AS INTEGER)
    END AS gestation_days,
    r.postcode AS postcode_source,
    r.ethnic_source,
    e.code AS ethnic_category,
    decimal_number(r.height) AS height_cm,
    decimal_number(r.weight) AS weight_kg,
    decimal_number(r.bmi) AS bmi,
    s.status AS smoking_status,
    decimal_number(r.co_ppm) AS co_ppm,
    r.nhs_number_valid,
    r.nhs_number_class,
    -- as sent, so the mart can tell "not recorded" (missing) from junk (invalid)
    r.gestation AS gestation_source,
    r.height AS height_source,
    r.weight AS weight_source,
    r.bmi AS bmi_source,
    r.smoking_source,
    r.co_ppm AS co_source
FROM raw_k2__bookings AS r
LEFT JOIN map_ethnic AS e ON e.system = 'K2' AND e.source_key = match_key(r.ethnic_source)
LEFT JOIN map_smoking AS s ON s.system = 'K2' AND s.source_key = match_key(r.smoking_source)
