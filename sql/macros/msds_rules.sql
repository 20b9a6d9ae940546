-- MSDS validity rules as macros, parameterised by variables that pipelines/core/warehouse.py sets
-- from checks/rules.yaml, so no code list, character class or threshold is written here.

-- White space is the rules file's explicit class (every Unicode White_Space character and the
-- zero-width ones), never `\s` or trim(): both are ASCII-only in DuckDB, so a no-break space
-- (0xA0 in a Windows-1252 BadgerNet file) would survive them.
CREATE OR REPLACE TEMP MACRO strip_white_space(raw) AS regexp_replace(raw, getvariable('whitespace_class'), '', 'g');
CREATE OR REPLACE TEMP MACRO trim_white_space(raw) AS
    regexp_replace(raw, '^' || getvariable('whitespace_class') || '+|' || getvariable('whitespace_class') || '+$', '', 'g');

-- Postcode normalisation (measures.md rule 1): remove every white-space character, upper-case,
-- one space before the last three characters. Blank and null tokens become NULL.
CREATE OR REPLACE TEMP MACRO postcode_compact(raw) AS upper(strip_white_space(raw));

CREATE OR REPLACE TEMP MACRO normalise_postcode(raw) AS
    CASE
        WHEN raw IS NULL OR list_contains(getvariable('postcode_null_tokens'), postcode_compact(raw)) THEN NULL
        WHEN length(postcode_compact(raw)) <= 3 THEN postcode_compact(raw)
        ELSE left(postcode_compact(raw), length(postcode_compact(raw)) - 3) || ' ' || right(postcode_compact(raw), 3)
    END;

-- Live in month M (YYYYMM text): introduced in or before M (no introduction date counts as
-- introduced) and not terminated, or terminated in or after M.
CREATE OR REPLACE TEMP MACRO postcode_live_in(introduced, terminated, yyyymm) AS
    coalesce(introduced <= yyyymm, true) AND coalesce(terminated >= yyyymm, true);

CREATE OR REPLACE TEMP MACRO yyyymm(reporting_month) AS replace(reporting_month, '-', '');

-- The four-way split of a normalised postcode (measures.md rule 2): missing (blank or null
-- token), default (pseudo outward code), valid (live in the directory in the month, or in format
-- mode well-formed), invalid (everything else).
CREATE OR REPLACE TEMP MACRO postcode_class(pc, live_in_directory) AS
    CASE
        WHEN pc IS NULL THEN 'missing'
        WHEN list_contains(getvariable('postcode_pseudo_outward'), split_part(pc, ' ', 1)) THEN 'default'
        WHEN getvariable('postcode_validity') = 'directory' AND live_in_directory THEN 'valid'
        WHEN getvariable('postcode_validity') = 'format' AND regexp_full_match(pc, getvariable('postcode_format_regex')) THEN 'valid'
        ELSE 'invalid'
    END;

-- Gestation in whole days (BadgerNet, Cerner): an integer or nothing. A cast alone would round
-- '10.5' to 11 and read '1e2' as 100, turning junk into a plausible gestation.
CREATE OR REPLACE TEMP MACRO whole_days(raw) AS
    CASE WHEN regexp_full_match(trim(raw), '-?[0-9]+') THEN TRY_CAST(trim(raw) AS INTEGER) END;

-- A measurement typed as decimal text (source-layouts.md): an optional sign, digits with an optional
-- decimal point and exponent (or NaN / Infinity, which no range holds), read as a double; any
-- other text is NULL. TRY_CAST alone reads more, and not the same on every engine: DuckDB takes
-- '2_5' for 25, Spark (Java) '25d' for 25 and '0x1p4' for 16; and Spark reads no sign before NaN.
CREATE OR REPLACE TEMP MACRO decimal_number(raw) AS
    CASE
        WHEN regexp_full_match(trim_white_space(raw), '[+-]?(?:[0-9]+[.]?[0-9]*|[.][0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?[iI][nN][fF](?:[iI][nN][iI][tT][yY])?')
        THEN TRY_CAST(trim_white_space(raw) AS DOUBLE)
        WHEN regexp_full_match(trim_white_space(raw), '[+-]?[nN][aA][nN]') THEN CAST('NaN' AS DOUBLE)
    END;

CREATE OR REPLACE TEMP MACRO in_range(x, lo, hi) AS coalesce(x BETWEEN lo AND hi, false);

-- A value counts as recorded when the source sent something: a parsed value, or any text (junk
-- text is recorded but invalid; white space alone is not recorded).
CREATE OR REPLACE TEMP MACRO is_recorded(value, source) AS value IS NOT NULL OR coalesce(trim_white_space(source), '') <> '';

-- valid / invalid / missing for a measurement with a plausible range (no default code).
CREATE OR REPLACE TEMP MACRO range_class(value, source, lo, hi) AS
    CASE
        WHEN in_range(value, lo, hi) THEN 'valid'
        WHEN is_recorded(value, source) THEN 'invalid'
        ELSE 'missing'
    END;

-- Source codes are matched after trimming and upper-casing (' a ' is A; '99' stays 99).
CREATE OR REPLACE TEMP MACRO match_key(raw) AS nullif(upper(trim_white_space(raw)), '');
