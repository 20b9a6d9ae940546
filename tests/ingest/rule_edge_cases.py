"""The edge cases of every rule in checks/rules.yaml, with the class each must get, worked by hand
from the spec (measures.md, source-layouts.md). Written as data: tests/ingest/rule_edges.py turns
them into extracts, tests/ingest/test_rule_edges.py loads them and compares.

Ranges are inclusive at both ends ("12–70 kg/m²", "0–100 ppm", "0–45 weeks", height 120–220 cm,
weight 30–250 kg): each bound is tested at the bound, one unit outside it and the smallest typed
step outside it (0.1 for decimals, 1 day for gestation). BMI counts as valid when the BMI is
plausible, or when it is blank and both height and weight are plausible (it is derivable); a BMI
recorded, or a height and weight both recorded, but not plausible is invalid; nothing recorded is
missing. Gestation 45 weeks is 315 days: 45+0 is the last valid K2 value, 315 the last valid
BadgerNet / Cerner value.
"""

from __future__ import annotations

from tests.ingest.rule_edges import BOOKED_CERNER, Case

WHEN = BOOKED_CERNER  # a Cerner event at the booking itself
# 14 days after the booking is the last moment a Cerner reading counts (source-layouts.md).
DAY_14 = "24-APR-2025 09:00:00"
DAY_14_AND_A_MINUTE = "24-APR-2025 09:01:00"


def _cases(layout: str, measure: str, key: str, table: list[tuple[str, str]], **fixed: str) -> list[Case]:
    return [Case(layout, measure, {**fixed, key: typed}, expected) for typed, expected in table]


# --------------------------------------------------------------------------- plausibility ranges

BMI_ALONE = [  # height and weight blank: the BMI alone decides
    ("11", "invalid"), ("11.9", "invalid"), ("12", "valid"), ("12.0", "valid"), ("25.0", "valid"),
    ("70", "valid"), ("70.0", "valid"), ("70.1", "invalid"), ("71", "invalid"),
    ("abc", "invalid"), ("", "missing"), ("  ", "missing"),
    # not decimal text, though an engine's own cast reads each as a number: DuckDB '2_5' as 25,
    # Java (Spark) '25d' as 25 and '0x1p4' as 16
    ("2_5", "invalid"), ("25d", "invalid"), ("0x1p4", "invalid"),
]  # fmt: skip
HEIGHT_WITH_WEIGHT_70 = [  # BMI blank, weight 70 kg (plausible): the height decides
    ("119", "invalid"), ("119.9", "invalid"), ("120", "valid"), ("220", "valid"), ("220.1", "invalid"),
    ("221", "invalid"), ("1_65", "invalid"), ("165f", "invalid"),
]  # fmt: skip
WEIGHT_WITH_HEIGHT_165 = [  # BMI blank, height 165 cm (plausible): the weight decides
    ("29", "invalid"), ("29.9", "invalid"), ("30", "valid"), ("250", "valid"), ("250.1", "invalid"),
    ("251", "invalid"),
]  # fmt: skip
BMI_OTHER = [
    # height alone, no BMI: nothing to derive a BMI from, so not recorded
    Case("K2", "bmi_class", {"bmi": "", "height": "165", "weight": ""}, "missing"),
    # a plausible BMI wins over an implausible height and weight
    Case("K2", "bmi_class", {"bmi": "25.0", "height": "50", "weight": "500"}, "valid"),
    # an implausible BMI beside plausible height and weight: derivable, so valid
    Case("K2", "bmi_class", {"bmi": "7", "height": "165", "weight": "70"}, "valid"),
]
CO = [
    ("-1", "invalid"), ("0", "valid"), ("1", "valid"), ("100", "valid"), ("101", "invalid"),
    ("100.5", "invalid"), ("abc", "invalid"), ("", "missing"), ("1_0", "invalid"), ("2f", "invalid"),
]  # fmt: skip
K2_GESTATION = [  # weeks+days; days 0-6 only
    ("0+0", "valid"), ("0+6", "valid"), ("10+0", "valid"), ("10+6", "valid"), (" 10+3 ", "valid"),
    ("10+7", "invalid"), ("10+8", "invalid"), ("10+9", "invalid"), ("10+10", "invalid"),
    ("44+6", "valid"), ("45+0", "valid"), ("45+1", "invalid"), ("45+6", "invalid"), ("46+0", "invalid"),
    ("10", "invalid"), ("10+", "invalid"), ("+3", "invalid"), ("-1+0", "invalid"), ("10-3", "invalid"),
    ("ten", "invalid"), ("", "missing"), (" ", "missing"),
]  # fmt: skip
DAYS_GESTATION = [  # BadgerNet and Cerner: integer days
    ("-1", "invalid"), ("0", "valid"), ("1", "valid"), ("314", "valid"), ("315", "valid"), ("316", "invalid"),
    ("10.5", "invalid"), ("1e2", "invalid"), ("abc", "invalid"), ("", "missing"),
]  # fmt: skip

RANGE_CASES: list[Case] = [
    *_cases("K2", "bmi_class", "bmi", BMI_ALONE),
    *_cases("BadgerNet", "bmi_class", "bmi", BMI_ALONE),
    *_cases("K2", "bmi_class", "height", HEIGHT_WITH_WEIGHT_70, bmi="", weight="70"),
    *_cases("BadgerNet", "bmi_class", "height", HEIGHT_WITH_WEIGHT_70, bmi="", weight="70"),
    *_cases("K2", "bmi_class", "weight", WEIGHT_WITH_HEIGHT_165, bmi="", height="165"),
    *_cases("BadgerNet", "bmi_class", "weight", WEIGHT_WITH_HEIGHT_165, bmi="", height="165"),
    *BMI_OTHER,
    *_cases("K2", "co_class", "co", CO),
    *_cases("BadgerNet", "co_class", "co", CO),
    *_cases("K2", "gestation_class", "gestation", K2_GESTATION),
    *_cases("BadgerNet", "gestation_class", "gestation", DAYS_GESTATION),
    *_cases("Cerner", "gestation_class", "gestation", DAYS_GESTATION),
    # Cerner measurements arrive as events, converted to canonical units (m -> cm x 100).
    Case("Cerner", "bmi_class", {}, "valid", (("BMI Measured", "12", "kg/m2", WHEN),)),
    Case("Cerner", "bmi_class", {}, "invalid", (("BMI Measured", "11.9", "kg/m2", WHEN),)),
    Case("Cerner", "bmi_class", {}, "valid", (("BMI Measured", "70", "kg/m2", WHEN),)),
    Case("Cerner", "bmi_class", {}, "invalid", (("BMI Measured", "70.1", "kg/m2", WHEN),)),
    Case("Cerner", "bmi_class", {}, "missing"),
    # 1.20 m and 2.20 m are 120 cm and 220 cm: both plausible (2.2 x 100 is not exact in floating point)
    Case("Cerner", "bmi_class", {}, "valid", (("Height", "1.20", "m", WHEN), ("Weight", "70", "kg", WHEN))),
    Case("Cerner", "bmi_class", {}, "valid", (("Height", "2.20", "m", WHEN), ("Weight", "70", "kg", WHEN))),
    Case("Cerner", "bmi_class", {}, "invalid", (("Height", "2.21", "m", WHEN), ("Weight", "70", "kg", WHEN))),
    Case("Cerner", "bmi_class", {}, "invalid", (("Height", "1.19", "m", WHEN), ("Weight", "70", "kg", WHEN))),
    # Pounds at the weight bounds, by the exact factor 0.45359237 kg/lb: 551.15 lb = 249.9974 kg
    # (plausible), 551.16 lb = 250.0020 kg (not); 66.14 lb = 30.0006 kg (plausible), 66.13 lb =
    # 29.9961 kg (not). A factor rounded to 0.4536 would make 551.15 lb 250.0016 kg.
    *[
        Case("Cerner", "bmi_class", {}, expected, (("Height", "165", "cm", WHEN), ("Weight", lb, "lb", WHEN)))
        for lb, expected in (("551.15", "valid"), ("551.16", "invalid"), ("66.14", "valid"), ("66.13", "invalid"))
    ],
    Case("Cerner", "co_class", {}, "valid", (("Carbon Monoxide Reading", "100", "ppm", WHEN),)),
    Case("Cerner", "co_class", {}, "invalid", (("Carbon Monoxide Reading", "101", "ppm", WHEN),)),
    Case("Cerner", "co_class", {}, "valid", (("Carbon Monoxide Reading", "0", "ppm", WHEN),)),
    Case("Cerner", "co_class", {}, "invalid", (("Carbon Monoxide Reading", "-1", "ppm", WHEN),)),
    # A reading 14 days after the booking is the booking value; a minute later it is not.
    Case("Cerner", "co_class", {}, "valid", (("Carbon Monoxide Reading", "3", "ppm", DAY_14),)),
    Case("Cerner", "co_class", {}, "missing", (("Carbon Monoxide Reading", "3", "ppm", DAY_14_AND_A_MINUTE),)),
]

# --------------------------------------------------------------------------- postcode

# Live in the directory in 2025-04 (reference folder, rule_edges.DIRECTORY_EDGES), however typed;
# normalisation removes every white-space character, Unicode included, and upper-cases.
POSTCODE_VALID = [
    "CV1 2AB", "cv1 2ab", "CV12AB", " cv1 2ab ", "cv1\u00a02ab", "C V 1 2 A B", "cv1\t2ab", "CV1\u20092AB",
    "CV1\u200b2AB", "\ufeffCV1 2AB", "CV1 1AA", "CV1 1AD",
]  # fmt: skip
# measures.md's null tokens N/A NA TBC TBA UNKNOWN NFA 0, blank, and their lower-case, mixed-case
# and white-space variants (compared after normalisation).
POSTCODE_MISSING = [
    "", "   ", "N/A", "NA", "TBC", "TBA", "UNKNOWN", "NFA", "0",
    "n/a", "na", "tbc", "tba", "unknown", "nfa",
    "Unknown", "Tbc", "nA", " N/A ", "n / a", "T B A", "\u00a0nfa\u00a0", " 0 ", "\tna", "UN KNOWN",
]  # fmt: skip
POSTCODE_DEFAULT = ["ZZ99 3VZ", "zz99 3vz", "ZZ993VZ", " zz99 9zz "]
# Three characters or fewer stay whole when normalised ("CV1", not " CV1"); four get their space
# ("NONE" is "N ONE"): the gate's form must be the warehouse's either way.
POSTCODE_INVALID = [
    "NONE", "N/A/", "00", "O", "TBC1", "NA NA X", "N.A.", "CV1O 2AB", "QA1 1AA", "CV3 4CD", "ZZ9 9ZZ",
    "CV5 6EF", "CV1 1AB", "CV1 1AE", "CV1 2AB X", "CV1", " cv1 ", "B1",
]  # fmt: skip

POSTCODE_CASES: list[Case] = [
    *[Case("K2", "postcode_class", {"postcode": p}, "valid") for p in POSTCODE_VALID],
    *[Case("K2", "postcode_class", {"postcode": p}, "missing") for p in POSTCODE_MISSING],
    *[Case("K2", "postcode_class", {"postcode": p}, "default") for p in POSTCODE_DEFAULT],
    *[Case("K2", "postcode_class", {"postcode": p}, "invalid") for p in POSTCODE_INVALID],
    # The other layouts' files (Windows-1252 carries the no-break space as byte 0xA0).
    *_cases(
        "BadgerNet",
        "postcode_class",
        "postcode",
        [
            ("CV312AB", "valid"),
            ("cv31\u00a02ab", "valid"),
            ("", "missing"),
            ("n/a", "missing"),
            ("Na", "missing"),
            ("\u00a0TBC", "missing"),
            ("0", "missing"),
            ("nfa", "missing"),
            ("zz993vz", "default"),
            ("CV32", "invalid"),
            ("NONE", "invalid"),
        ],
    ),
    *_cases(
        "Cerner",
        "postcode_class",
        "postcode",
        [
            ("cv10 7ab", "valid"),
            ("", "missing"),
            ("unknown", "missing"),
            ("tba", "missing"),
            ("0", "missing"),
            ("NA", "missing"),
            ("ZZ99 1AA", "default"),
            ("cv11 4xy", "invalid"),
        ],
    ),
]

# --------------------------------------------------------------------------- ethnic category

VALID_CODES = list("ABCDEFGHJKLMNPRS")  # A to S without I, O and Q
K2_TEXT = {  # source-layouts.md's K2 table
    "White - British": "valid", "White - Irish": "valid", "White - Any other White background": "valid",
    "Mixed - White and Black Caribbean": "valid", "Mixed - White and Black African": "valid",
    "Mixed - White and Asian": "valid", "Mixed - Any other mixed background": "valid",
    "Asian or Asian British - Indian": "valid", "Asian or Asian British - Pakistani": "valid",
    "Asian or Asian British - Bangladeshi": "valid", "Asian or Asian British - Any other Asian background": "valid",
    "Black or Black British - Caribbean": "valid", "Black or Black British - African": "valid",
    "Black or Black British - Any other Black background": "valid", "Other Ethnic Groups - Chinese": "valid",
    "Other Ethnic Groups - Any other ethnic group": "valid", "Not Stated": "default", "Unknown": "default",
}  # fmt: skip
# The code each K2 text maps to (source-layouts.md's table): a valid text mapped to the wrong valid
# code keeps its class, but moves the woman to another ethnic category in the breakdowns.
K2_CODES = {
    "White - British": "A", "White - Irish": "B", "White - Any other White background": "C",
    "Mixed - White and Black Caribbean": "D", "Mixed - White and Black African": "E",
    "Mixed - White and Asian": "F", "Mixed - Any other mixed background": "G",
    "Asian or Asian British - Indian": "H", "Asian or Asian British - Pakistani": "J",
    "Asian or Asian British - Bangladeshi": "K", "Asian or Asian British - Any other Asian background": "L",
    "Black or Black British - Caribbean": "M", "Black or Black British - African": "N",
    "Black or Black British - Any other Black background": "P", "Other Ethnic Groups - Chinese": "R",
    "Other Ethnic Groups - Any other ethnic group": "S", "Not Stated": "Z", "Unknown": "99",
}  # fmt: skip
K2_TEXT_VARIANTS = [
    ("WHITE - BRITISH", "valid"), ("  white - irish  ", "valid"), ("not stated", "default"), ("UNKNOWN", "default"),
    ("White-British", "invalid"), ("White British", "invalid"), ("White - British.", "invalid"), ("A", "invalid"),
    ("British", "invalid"), ("", "missing"), ("   ", "missing"),
]  # fmt: skip
CODE_VARIANTS = [
    ("a", "valid"), (" s ", "valid"), ("Z", "default"), ("z", "default"), ("99", "default"), (" 99 ", "default"),
    ("I", "invalid"), ("O", "invalid"), ("Q", "invalid"), ("T", "invalid"), ("U", "invalid"), ("X", "invalid"),
    ("Y", "invalid"),
    ("0", "invalid"), ("1", "invalid"), ("9", "invalid"),  # 1991 census codes, retired
    ("AA", "invalid"), ("ZZ", "invalid"), ("999", "invalid"), ("White British", "invalid"),
    ("", "missing"), ("  ", "missing"),
]  # fmt: skip

ETHNIC_CASES: list[Case] = [
    *[Case("BadgerNet", "ethnic_category_class", {"ethnic": c}, "valid") for c in VALID_CODES],
    *_cases("BadgerNet", "ethnic_category_class", "ethnic", CODE_VARIANTS),
    *[Case("K2", "ethnic_category_class", {"ethnic": t}, c) for t, c in K2_TEXT.items()],
    *_cases("K2", "ethnic_category_class", "ethnic", K2_TEXT_VARIANTS),
    *[Case("Cerner", "ethnic_category_class", {"ethnic": c}, "valid") for c in VALID_CODES],
    *_cases(
        "Cerner",
        "ethnic_category_class",
        "ethnic",
        [("r", "valid"), ("Z", "default"), ("99", "default"), ("", "missing"), ("Q", "invalid"), ("T", "invalid")],
    ),
]

# --------------------------------------------------------------------------- smoking

SMOKING_CASES: list[Case] = [
    *_cases(
        "K2",
        "smoking_class",
        "smoking",
        [
            ("Current smoker", "valid"),
            ("Ex-smoker", "valid"),
            ("Never smoked", "valid"),
            ("never smoked", "valid"),
            ("Not asked", "default"),
            ("", "missing"),
            ("Smoker", "invalid"),
            ("Unknown", "invalid"),
        ],
    ),
    *_cases(
        "BadgerNet",
        "smoking_class",
        "smoking",
        [
            ("1", "valid"),
            ("2", "valid"),
            ("3", "valid"),
            ("9", "default"),
            ("", "missing"),
            ("4", "invalid"),
            ("0", "invalid"),
            ("Never", "invalid"),
        ],
    ),
    Case("Cerner", "smoking_class", {}, "valid", (("Smoking Status", "Current smoker", "", WHEN),)),
    Case("Cerner", "smoking_class", {}, "default", (("Smoking Status", "Not asked", "", WHEN),)),
    Case("Cerner", "smoking_class", {}, "default", (("Smoking Status", "Unknown", "", WHEN),)),
    Case("Cerner", "smoking_class", {}, "missing"),
    Case("Cerner", "smoking_class", {}, "invalid", (("Smoking Status", "Vapes", "", WHEN),)),
]

# --------------------------------------------------------------------------- NHS number (Modulus 11)

# Worked in tests/ingest/test_rule_edges.py::test_nhs_number_modulus_11.
NHS_NUMBERS = [
    ("9434765919", "valid"), ("943 476 5919", "valid"), ("943-476-5919", "valid"), ("4010232137", "valid"),
    ("1000000060", "valid"),  # remainder 0: 11 - 0 = 11, check digit 0
    ("1000000010", "invalid"), ("1000000011", "invalid"),  # remainder 1: 11 - 1 = 10, no valid number
    ("9434765918", "invalid"), ("4010232136", "invalid"), ("1000000061", "invalid"),
    ("943476591", "invalid"), ("94347659190", "invalid"), ("943 476 591", "invalid"),
    ("\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669", "invalid"),  # Arabic-Indic 9434765919
    ("\u0660" * 9 + "0", "invalid"),  # Arabic-Indic zeros would pass if they counted as 0
    ("943476591X", "invalid"), ("abcdefghij", "invalid"),
    ("0000000000", "default"), ("9999999999", "default"), ("111 111 1111", "default"), ("555-555-5555", "default"),
    ("", "missing"), ("   ", "missing"),
]  # fmt: skip

NHS_CASES: list[Case] = [
    *_cases("K2", "nhs_number_class", "nhs", NHS_NUMBERS),
    *_cases("BadgerNet", "nhs_number_class", "nhs", [(n, c) for n, c in NHS_NUMBERS if n.isascii()]),
    *_cases("Cerner", "nhs_number_class", "nhs", [("9434765919", "valid"), ("1000000010", "invalid"),
                                                  ("0000000000", "default"), ("", "missing")]),
]  # fmt: skip

ALL_CASES: list[Case] = [*RANGE_CASES, *POSTCODE_CASES, *ETHNIC_CASES, *SMOKING_CASES, *NHS_CASES]

# --------------------------------------------------------------------------- postcode, format mode

# `postcode.validity: format` (measures.md rule 4): BS7666 shape after normalisation, outward A9,
# A99, AA9, AA99, A9A or AA9A and inward 9AA, with Royal Mail's letter rules: first letter never
# Q V X; second never I J Z; the third of A9A only A B C D E F G H J K P S T U W; the fourth of
# AA9A only A B E H M N P R V W X Y; the inward letters never C I K M O V. The directory plays no
# part (CV1 1AB, not yet introduced, is well-formed). Null tokens and ZZ99 keep their classes.
FORMAT_VALID = ["M1 1AA", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 1HQ", "EC1A 1BB", "cv1 2ab", "CV12AB", "CV1 1AB"]
FORMAT_INVALID = [
    "QA1 1AA", "V1 1AA", "X1 1AA",  # first letter
    "BI1 1AA", "BJ1 1AA", "BZ1 1AA",  # second letter
    "W1I 1AA", "W1Z 1AA",  # third letter of A9A
    "EC1C 1BB", "EC1Z 1BB",  # fourth letter of AA9A
    "M1 1CA", "M1 1AI", "M1 1AK", "M1 1MA", "M1 1OA", "M1 1AV",  # inward letters
    "M1 AAA", "CV1O 2AB", "CV123 4AB", "M1AA", "1M1 1AA", "CV1 2AB X",  # shapes
]  # fmt: skip
FORMAT_CASES: list[Case] = [
    *[Case("K2", "postcode_class", {"postcode": p}, "valid") for p in FORMAT_VALID],
    *[Case("K2", "postcode_class", {"postcode": p}, "invalid") for p in FORMAT_INVALID],
    Case("K2", "postcode_class", {"postcode": "ZZ99 3VZ"}, "default"),
    Case("K2", "postcode_class", {"postcode": "n/a"}, "missing"),
    Case("K2", "postcode_class", {"postcode": "TBA"}, "missing"),
    Case("K2", "postcode_class", {"postcode": ""}, "missing"),
]
