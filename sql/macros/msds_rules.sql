-- MSDS validity rules as macros, parameterised by variables that pipelines/warehouse.py sets
-- from checks/rules.yaml, so no code list or threshold is written here.

-- Postcode normalisation (measures.md rule 1): trim, upper-case, drop internal white space,
-- one space before the last three characters. Blank and null tokens become NULL.
CREATE OR REPLACE TEMP MACRO postcode_compact(raw) AS upper(regexp_replace(raw, '\s+', '', 'g'));

CREATE OR REPLACE TEMP MACRO normalise_postcode(raw) AS
    CASE
        WHEN raw IS NULL OR list_contains(getvariable('postcode_null_tokens'), upper(trim(raw))) THEN NULL
        WHEN length(postcode_compact(raw)) <= 3 THEN postcode_compact(raw)
        ELSE left(postcode_compact(raw), length(postcode_compact(raw)) - 3) || ' ' || right(postcode_compact(raw), 3)
    END;

-- Valid = UK format and not a pseudo postcode (ZZ99: no fixed abode, not known, overseas).
CREATE OR REPLACE TEMP MACRO postcode_is_valid(pc) AS coalesce(
    regexp_full_match(pc, getvariable('postcode_format_regex'))
    AND NOT list_contains(getvariable('postcode_pseudo_outward'), split_part(pc, ' ', 1)),
    false);

CREATE OR REPLACE TEMP MACRO in_range(x, lo, hi) AS coalesce(x BETWEEN lo AND hi, false);

-- Source codes are matched after trimming and upper-casing (' a ' is A; '99' stays 99).
CREATE OR REPLACE TEMP MACRO match_key(raw) AS nullif(upper(trim(raw)), '');
