"""One synthetic woman's booking: identifiers, address, ethnicity and booking measurements.

Validity of the two gated fields is decided by the caller (the story); this module only makes
a valid or an invalid value look like what that system's users really type.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import config
from .geography import Geography, Postcode, draw_postcode
from .trusts import TrustProfile

NULL_TOKENS_AS_TYPED = ("N/A", "n/a", "NA", "TBC", "tbc", "TBA", "UNKNOWN", "Unknown", "NFA", "0")
PSEUDO_POSTCODES = ("ZZ99 3VZ", "ZZ99 3VZ", "ZZ993VZ", "ZZ99 3WZ", "ZZ99 3CZ")
# Free text clerks put in K2's ethnicity box that the K2 table does not know.
K2_UNMAPPED_ETHNIC = ("White-British", "Brit", "White British", "british", "W British",
                      "White - Brit", "Asian", "Pakistani", "Other", "Declined", "Not Known",
                      "Eastern European", "Mixed", "Other, Kurdish", 'Mixed "White/Asian"')
CERNER_DISPLAY = {
    "A": "White British", "B": "White Irish", "C": "Any other White background",
    "D": "White and Black Caribbean", "E": "White and Black African", "F": "White and Asian",
    "G": "Any other mixed background", "H": "Indian", "J": "Pakistani", "K": "Bangladeshi",
    "L": "Any other Asian background", "M": "Caribbean", "N": "African",
    "P": "Any other Black background", "R": "Chinese", "S": "Any other ethnic group",
    "Z": "Not stated", "99": "Not known",
}
# BadgerNet notes: commas, quotes and accented letters that Windows-1252 can hold.
NOTES = (
    'Interpreter required – Polish', 'Booked by Zoë, bloods taken',
    'Partner José attended, "very supportive"',
    'Prefers to be called Renée', 'Transfer from Birmingham, notes requested',
    'Café worker – night shifts, advised re: rest', 'Declined CO test, "feels fine"',
    'Previous CS, VBAC discussion booked', 'Chloë (sister) to interpret, Portuguese',
    'Attended with Inês; community MW informed', 'Known to perinatal MH team, referral made',
    'GP: Dr O’Brien, Foleshill', 'Señora Muñoz interpreting, Spanish',
    'Moved from Noël Road, new address confirmed', 'Naïve to UK maternity care, 2nd pregnancy',
    'Booking completed over phone, "will attend scan"', 'Twins? await dating scan',
    'Héloïse (doula) present', 'Late booker, arrived from abroad', 'Allergic to penicillin, rash',
)


@dataclass
class Booking:
    """A pregnancy booking before layout-specific formatting."""

    seq: int
    local_id: int
    nhs: str  # 10 digits or ''
    dob: date
    booked_at: datetime
    gestation_days: int | None
    postcode: str  # as typed
    ethnic_code: str  # code as stored ('A'..'S', 'Z', '99', '')
    ethnic_text: str  # K2 description or Cerner display text
    height_cm: float | None
    weight_kg: float | None
    bmi: float | None
    smoking: str  # canonical smoking status or ''
    co_ppm: int | None
    site: str
    notes: str = ""
    # Raw text that replaces a formatted column (canonical key) - how mess gets in.
    overrides: dict[str, str] = field(default_factory=dict)


def mod11_check_digit(nine: str) -> int | None:
    """NHS number check digit for nine digits; None when the digits can never be valid."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    return 0 if check == 11 else None if check == 10 else check


def nhs_number_is_valid(nhs: str) -> bool:
    digits = nhs.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    return mod11_check_digit(digits[:9]) == int(digits[9])


def new_nhs_number(rng: random.Random) -> str:
    # Leading 9: a range not issued to patients, so a synthetic number cannot be someone's.
    while True:
        nine = f"9{rng.randrange(10**8):08d}"
        check = mod11_check_digit(nine)
        if check is not None:
            return f"{nine}{check}"


def break_nhs_number(nhs: str, rng: random.Random) -> str:
    """Same number with a wrong check digit (a transposition or typo at the desk)."""
    right = nhs[9]
    return nhs[:9] + rng.choice([d for d in "0123456789" if d != right])


# How a valid postcode gets typed (weights). K2 and Cerner keep what the desk typed; BadgerNet's
# form strips the space on save, mostly, but not a no-break space pasted from another system
# (0xA0 in its Windows-1252 file): still a valid postcode.
DESK_STYLES = {"as_is": 70, "lower": 10, "no_space": 8, "double_space": 3, "padded": 2,
               "trailing": 2, "capitalised": 3, "lower_no_space": 2, "pasted": 1}
BADGERNET_STYLES = {"no_space": 72, "as_is": 22, "lower_no_space": 6, "pasted": 2}


def type_valid_postcode(pcds: str, system: str, rng: random.Random) -> str:
    outward, inward = pcds.split(" ")
    styles = {
        "as_is": pcds, "no_space": outward + inward, "lower": pcds.lower(),
        "lower_no_space": (outward + inward).lower(), "double_space": f"{outward}  {inward}",
        "padded": f" {pcds} ", "trailing": f"{pcds}   ", "capitalised": pcds.capitalize(),
        "pasted": f"{outward}\u00a0{inward}",
    }
    weights = BADGERNET_STYLES if system == "BadgerNet" else DESK_STYLES
    return styles[rng.choices(list(weights), weights=list(weights.values()))[0]]


def type_invalid_postcode(pcds: str, system: str, rng: random.Random,
                          not_live: tuple[tuple[Postcode, ...], ...], live: Callable[[str], bool]) -> str:
    """An invalid postcode as typed. `not_live`: pools, one per reason (not yet introduced,
    terminated, not in the directory), of well-formed postcodes that are no address in the month,
    typed like a valid one."""
    outward, inward = pcds.split(" ")
    weights = (45, 15, 15, 12, 13, 24) if system == "BadgerNet" else (33, 25, 15, 14, 13, 24)
    kinds = ("blank", "token", "pseudo", "truncated", "typo", "not_live")
    kind = rng.choices(kinds, weights=weights)[0]
    if kind == "not_live" and not_live:
        typed = type_valid_postcode(rng.choice(rng.choice(not_live)).pcds, system, rng)
        if not config.postcode_is_valid(typed, live):  # in format mode it would be valid
            return typed
    if kind in ("blank", "not_live"):
        text = " " if system == "K2" and rng.random() < 0.15 else ""
    elif kind == "token":
        text = rng.choice(NULL_TOKENS_AS_TYPED)
    elif kind == "pseudo":
        text = rng.choice(PSEUDO_POSTCODES)
    elif kind == "truncated":
        text = outward if rng.random() < 0.7 else f"{outward} {inward[0]}"
    else:
        text = rng.choice((f"{outward} {inward[:2]}", f"{pcds}{inward[-1]}",
                           f"{outward} O{inward[1:]}", f"{outward} {inward[1:]}{inward[0]}"))
    if system == "BadgerNet":
        text = text.replace(" ", "")
    return "" if config.postcode_is_valid(text, live) else text


def _ethnic_valid(trust: TrustProfile, system: str, rng: random.Random) -> tuple[str, str]:
    codes = [c for c, _ in trust.ethnic_weights]
    code = rng.choices(codes, weights=[w for _, w in trust.ethnic_weights])[0]
    if system == "K2":
        text = config.k2_ethnic_text(code)
        r = rng.random()
        # K2 matching ignores case and outer space, so these stay valid.
        if r < 0.09:
            text = text.upper() if r < 0.04 else text.lower() if r < 0.06 else f"{text} "
        return code, text
    return code, CERNER_DISPLAY[code]


def _ethnic_invalid(trust: TrustProfile, system: str, rng: random.Random) -> tuple[str, str]:
    if system == "K2":
        kind = rng.choices(("blank", "Z", "99", "unmapped"), weights=(30, 25, 15, 30))[0]
        if kind == "blank":
            return "", ""
        if kind == "unmapped":
            text = rng.choice(K2_UNMAPPED_ETHNIC)
            assert not config.k2_text_maps_to_code(text), text
            return "", text
        return kind, config.k2_ethnic_text(kind)
    if system == "BadgerNet":
        code = rng.choices(("", "Z", "99"), weights=(35, 40, 25))[0]
        return code, ""
    # Cerner: mostly an empty outbound alias beside a perfectly good display value.
    kind = rng.choices(("unaliased", "blank", "Z", "99"), weights=(55, 15, 20, 10))[0]
    if kind == "unaliased":
        return "", CERNER_DISPLAY[_ethnic_valid(trust, "Cerner", rng)[0]]
    if kind == "blank":
        return "", ""
    return kind, CERNER_DISPLAY[kind]


def _gestation_days(rng: random.Random) -> int | None:
    r = rng.random()
    if r < 0.015:
        return None
    if r < 0.065:
        return rng.randint(35, 55)
    if r < 0.85:
        return rng.randint(56, 97)  # 8+0 to 13+6: the NICE target window
    if r < 0.97:
        return rng.randint(98, 168)
    if r < 0.997:
        return rng.randint(169, 266)
    return rng.randint(330, 420)  # implausible: over 45 weeks


def _measurements(rng: random.Random) -> tuple[float | None, float | None, float | None]:
    height = min(190.0, max(140.0, rng.gauss(163.5, 6.8)))
    height = float(round(height)) if rng.random() < 0.7 else round(height, 1)
    weight = round(min(170.0, max(40.0, rng.lognormvariate(math.log(70), 0.22))), 1)
    bmi: float | None = round(weight / (height / 100) ** 2, 1)
    if rng.random() < 0.04:
        bmi = None
    elif rng.random() < 0.003:
        bmi = rng.choice((0.0, round(bmi * 10, 1)))
    h: float | None = height
    w: float | None = weight
    if rng.random() < 0.03:
        h = None
    elif rng.random() < 0.003:  # metres or a slipped decimal in a centimetre box
        h = rng.choice((round(height / 100, 2), round(height / 10, 1)))
    if rng.random() < 0.03:
        w = None
    elif rng.random() < 0.003:
        w = rng.choice((round(weight / 10, 1), round(weight * 10, 1)))
    return h, w, bmi


def _co_ppm(smoking: str, rng: random.Random) -> int | None:
    if rng.random() < 0.15:
        return None
    if rng.random() < 0.002:
        return rng.choice((150, 999))
    if smoking == "current":
        return min(30, max(2, round(rng.triangular(2, 30, 9))))
    return rng.randint(0, 6) if smoking == "ex" else rng.randint(0, 3)


def make_booking(trust: TrustProfile, system: str, seq: int, booked_at: datetime,
                 postcode_valid: bool, ethnic_valid: bool, geo: Geography,
                 rng: random.Random) -> Booking:
    """A booking whose postcode and ethnic category are valid exactly as asked."""
    month = booked_at.strftime("%Y-%m")

    def live(normalised: str) -> bool:
        found = geo.by_pcds(normalised)
        return found is not None and found.live_in(month)

    home = draw_postcode(geo, trust.districts, trust.imd_decile_weights, rng, month)
    if postcode_valid:
        postcode = type_valid_postcode(home.pcds, system, rng)
    else:
        not_live = geo.not_live_pools(tuple(d for d, _ in trust.districts), month)
        postcode = type_invalid_postcode(home.pcds, system, rng, not_live, live)
    code, text = (_ethnic_valid if ethnic_valid else _ethnic_invalid)(trust, system, rng)
    age_days = int(min(47.9, max(15.5, rng.gauss(30.5, 5.6))) * 365.25)
    nhs = "" if rng.random() < 0.015 else new_nhs_number(rng)
    height, weight, bmi = _measurements(rng)
    smoking = rng.choices([s for s, _ in trust.smoking_weights],
                          weights=[w for _, w in trust.smoking_weights])[0]
    sites = trust.sites
    booking = Booking(
        seq=seq, local_id=rng.randrange(10**6, 10**7), nhs=nhs,
        dob=booked_at.date() - timedelta(days=age_days), booked_at=booked_at,
        gestation_days=_gestation_days(rng), postcode=postcode, ethnic_code=code,
        ethnic_text=text, height_cm=height, weight_kg=weight, bmi=bmi, smoking=smoking,
        co_ppm=_co_ppm(smoking, rng),
        site=rng.choices([s for s, _ in sites], weights=[w for _, w in sites])[0],
        notes=rng.choice(NOTES) if system == "BadgerNet" and rng.random() < 0.22 else "",
    )
    assert config.postcode_is_valid(booking.postcode, live) == postcode_valid, booking.postcode
    return booking


def booking_times(year: int, month: int, n: int, rng: random.Random) -> list[datetime]:
    """n clinic appointment times in the month, weekdays mostly, in time order."""
    first = date(year, month, 1)
    days = [d for d in (first + timedelta(days=i) for i in range(31)) if d.month == month]
    weights = [1.0 if d.weekday() < 5 else 0.08 for d in days]
    times = []
    for _ in range(n):
        day = rng.choices(days, weights=weights)[0]
        minute = rng.randrange(8 * 60 + 30, 17 * 60, 15)
        times.append(datetime(day.year, day.month, day.day, minute // 60, minute % 60))
    return sorted(times)
