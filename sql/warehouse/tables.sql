-- The warehouse's stored tables. Created if absent; a month's load replaces its rows in one
-- transaction (pipelines/ingest/load_month.py).

-- Audit trail: every extract seen, by content checksum. A resubmission marks the earlier
-- submission superseded rather than deleting it.
CREATE TABLE IF NOT EXISTS submissions (
    submission_id     VARCHAR NOT NULL,   -- hash of file name and content checksum
    file_name         VARCHAR NOT NULL,
    checksum          VARCHAR NOT NULL,   -- SHA-256 of the file's bytes
    source_system     VARCHAR NOT NULL,
    role              VARCHAR NOT NULL,   -- bookings | pregnancy | clinical_events, parallel_<role> for a parallel run
    org_code          VARCHAR NOT NULL,
    reporting_month   VARCHAR NOT NULL,
    status            VARCHAR NOT NULL,   -- loaded | unreadable | superseded | withdrawn
    rows_read         INTEGER,            -- records: each ends loaded or quarantined
    rows_loaded       INTEGER,
    rows_quarantined  INTEGER,
    error             VARCHAR,            -- why an unreadable file could not be read
    error_line        INTEGER,
    error_column      VARCHAR,
    warnings          VARCHAR,
    first_loaded_at   TIMESTAMP NOT NULL,
    status_changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id)
);
-- Physical lines after the header, counted apart from the records: each line starts a record or
-- continues one (a value the layout lets span lines), so lines_read = rows_read + continuation_lines.
-- Added after the first release: ALTER for warehouses made before.
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS lines_read INTEGER;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS continuation_lines INTEGER;

CREATE TABLE IF NOT EXISTS bookings (
    reporting_month       VARCHAR NOT NULL,
    org_code              VARCHAR NOT NULL,
    source_system         VARCHAR NOT NULL,
    submission_id         VARCHAR NOT NULL,
    source_file           VARCHAR NOT NULL,
    source_line           BIGINT NOT NULL,
    pregnancy_key         VARCHAR NOT NULL,
    person_key            VARCHAR,
    booking_date          DATE NOT NULL,
    site_code             VARCHAR,
    gestation_days        INTEGER,
    gestation_valid       BOOLEAN NOT NULL,
    postcode              VARCHAR,
    postcode_valid        BOOLEAN NOT NULL,
    lsoa_code             VARCHAR,
    postcode_has_lsoa     BOOLEAN NOT NULL,
    imd_decile            INTEGER,
    imd_quintile          INTEGER,
    imd_edition           INTEGER NOT NULL,
    ethnic_source         VARCHAR,
    ethnic_category       VARCHAR,
    ethnic_category_valid BOOLEAN NOT NULL,
    ethnic_group          VARCHAR NOT NULL,
    height_cm             DOUBLE,
    weight_kg             DOUBLE,
    bmi                   DOUBLE,
    bmi_recorded          BOOLEAN NOT NULL,
    smoking_status        VARCHAR,
    smoking_recorded      BOOLEAN NOT NULL,
    co_ppm                DOUBLE,
    co_recorded           BOOLEAN NOT NULL,
    nhs_number_valid      BOOLEAN NOT NULL,
    -- valid | default | invalid | missing per measure (rules file: class_column)
    postcode_source       VARCHAR,            -- as typed, for the worklists
    postcode_class        VARCHAR,
    postcode_lsoa_class   VARCHAR,
    ethnic_category_class VARCHAR,
    gestation_class       VARCHAR,
    bmi_class             VARCHAR,
    smoking_class         VARCHAR,
    co_class              VARCHAR,
    nhs_number_class      VARCHAR
);
-- Warehouses made before the four-way split gain its columns (their old months until re-run).
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS postcode_source VARCHAR;
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS postcode_class VARCHAR;
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS postcode_lsoa_class VARCHAR;
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS ethnic_category_class VARCHAR;
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS gestation_class VARCHAR;
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS bmi_class VARCHAR;
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS smoking_class VARCHAR;
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS co_class VARCHAR;
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS nhs_number_class VARCHAR;

CREATE TABLE IF NOT EXISTS quarantine (
    reporting_month VARCHAR NOT NULL,
    org_code        VARCHAR NOT NULL,
    source_system   VARCHAR NOT NULL,
    submission_id   VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,
    line_number     BIGINT NOT NULL,
    column_name     VARCHAR,            -- NULL when the whole record is at fault
    value           VARCHAR,            -- NULL for identifier columns: never stored
    reason          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS clinical_events (
    reporting_month VARCHAR NOT NULL,
    org_code        VARCHAR NOT NULL,
    submission_id   VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,
    source_line     BIGINT NOT NULL,
    pregnancy_key   VARCHAR NOT NULL,
    measurement     VARCHAR NOT NULL,
    event_at        TIMESTAMP NOT NULL,
    value_num       DOUBLE,
    value_text      VARCHAR
);

-- Parallel-run extracts (source-layouts.md, "System of record, and parallel running at go-live"):
-- a second system's extract for a Trust-month, read by the same readers, contracts and pseudonyms,
-- with the columns of bookings, quarantine and clinical_events, and never counted in them. Their
-- submissions carry the role `parallel_<role>`. Reconciled against bookings by pipelines/golive.
CREATE TABLE IF NOT EXISTS parallel_bookings AS SELECT * FROM bookings LIMIT 0;
CREATE TABLE IF NOT EXISTS parallel_quarantine AS SELECT * FROM quarantine LIMIT 0;
CREATE TABLE IF NOT EXISTS parallel_clinical_events AS SELECT * FROM clinical_events LIMIT 0;

-- Go-live reconciliation per month x Trust x parallel system x data item (sql/golive/golive.sql;
-- golive-YYYY-MM.csv holds its columns up to unlinkable). Only Trust-months with a parallel run.
CREATE TABLE IF NOT EXISTS golive (
    reporting_month VARCHAR, org_code VARCHAR, system_of_record VARCHAR, parallel_system VARCHAR,
    data_item VARCHAR,                  -- 'pregnancies', or a reconciled measure's id
    linked BIGINT, both_valid_same BIGINT, both_valid_different BIGINT, valid_only_in_record BIGINT,
    valid_only_in_parallel BIGINT, neither_valid BIGINT,     -- data items: sum to linked
    only_in_record BIGINT, only_in_parallel BIGINT, unlinkable BIGINT,   -- 'pregnancies' only
    unlinkable_in_record BIGINT, unlinkable_in_parallel BIGINT           -- unlinkable, by extract
);

-- Reference data as loaded, with the fingerprint of the files and edition it came from.
-- introduced / terminated: the directory's dointr / doterm (YYYYMM), NULL when empty.
CREATE TABLE IF NOT EXISTS ref_postcodes (postcode VARCHAR, terminated VARCHAR, lsoa_code VARCHAR, introduced VARCHAR);
ALTER TABLE ref_postcodes ADD COLUMN IF NOT EXISTS introduced VARCHAR;
CREATE TABLE IF NOT EXISTS ref_imd (lsoa_code VARCHAR, imd_decile INTEGER);
-- postcode_introduction_dates: false when the directory had no dointr column (all counted introduced).
CREATE TABLE IF NOT EXISTS reference_fingerprint (
    fingerprint VARCHAR, imd_edition INTEGER, files VARCHAR, postcode_introduction_dates BOOLEAN
);
ALTER TABLE reference_fingerprint ADD COLUMN IF NOT EXISTS postcode_introduction_dates BOOLEAN;

-- Month x Trust: did a usable submission arrive (marts/trust_month_status.sql)?
CREATE TABLE IF NOT EXISTS trust_month_status (
    reporting_month VARCHAR, org_code VARCHAR, source_system VARCHAR, files BIGINT, rows_read HUGEINT,
    rows_loaded HUGEINT, rows_quarantined HUGEINT, bookings BIGINT, completeness VARCHAR,
    completeness_detail VARCHAR
);

-- Measure history: one row per month x Trust x measure x breakdown group (measures/flag_rates.sql).
CREATE TABLE IF NOT EXISTS measures (
    reporting_month VARCHAR, org_code VARCHAR, source_system VARCHAR, measure_id VARCHAR,
    breakdown VARCHAR, "group" VARCHAR, numerator BIGINT, denominator BIGINT, rate DOUBLE,
    threshold DOUBLE, status VARCHAR, completeness VARCHAR, degenerate BOOLEAN, imd_edition INTEGER,
    valid BIGINT, "default" BIGINT, invalid BIGINT, missing BIGINT  -- the split; sums to denominator
);
ALTER TABLE measures ADD COLUMN IF NOT EXISTS valid BIGINT;
ALTER TABLE measures ADD COLUMN IF NOT EXISTS "default" BIGINT;
ALTER TABLE measures ADD COLUMN IF NOT EXISTS invalid BIGINT;
ALTER TABLE measures ADD COLUMN IF NOT EXISTS missing BIGINT;

-- Great Expectations' verdicts per month x Trust x gated measure (pipelines/assets/gate.py).
CREATE TABLE IF NOT EXISTS gate_results (
    reporting_month VARCHAR, org_code VARCHAR, measure_id VARCHAR, element_count BIGINT,
    unexpected_count BIGINT, observed_rate DOUBLE, threshold DOUBLE, success BOOLEAN, data_docs VARCHAR
);

-- How far the month's latest run got. Each step commits its tables and its stage together, so a
-- run killed between steps leaves a month marked as the last step that finished; `mdq gate`
-- reuses a month only when its gate stage followed its latest ingest.
CREATE TABLE IF NOT EXISTS month_progress (
    reporting_month VARCHAR PRIMARY KEY, stage VARCHAR NOT NULL, stage_rank INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL,
    config_fingerprint VARCHAR  -- rules, layouts and reference data the month's ingest used
);

-- The files of each month's last finished run (stage published) with their SHA-256 (a folder's:
-- over its files and names): `mdq gate` reuses a month only while these are there, unchanged
-- (pipelines/gate/reuse.py).
CREATE TABLE IF NOT EXISTS month_outputs (
    reporting_month VARCHAR NOT NULL, path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL
);
