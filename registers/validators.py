"""Format rules for identifiers the registers hold, each with a clear message."""

import re

from django.core.exceptions import ValidationError

# SC + 6 digits; 7 digits for newer registrations; 6 digits for some older ones
# (secure training centres).
URN_RE = re.compile(r"^(SC\d{6}|\d{6,7})$")
EDUCATION_URN_RE = re.compile(r"^\d{6,7}$")
COMPANY_RE = re.compile(r"^(\d{8}|[A-Z]{2}\d{6}|R\d{7})$")
COMPANY_PARTS_RE = re.compile(r"^([A-Z]{0,2})(\d{1,8})$")
CHARITY_RE = re.compile(r"^(\d{6,8}(-\d{1,2})?|SC0\d{5}|NIC\d{5,6})$")
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")
POSTCODE_DISTRICT_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
# A full postcode inside free text (a home address), for the referral's warnings.
POSTCODE_IN_TEXT_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE)
CPV_RE = re.compile(r"^\d{8}(-\d)?$")
INITIALS_RE = re.compile(r"^[A-Z]{1,4}$")
LEGAL_SUFFIXES = re.compile(r"\b(limited|ltd|plc|llp|llc|cic|the|uk)\b")
CASE_ID_RE = re.compile(r"^[A-Za-z0-9\-/]{3,20}$")


def normalise_provider_name(name: str) -> str:
    """Key for matching the same organisation written differently.

    "The Acme Care Ltd." and "ACME CARE LIMITED" give the same key.
    """
    value = (name or "").lower().replace("&", " and ")
    value = re.sub(r"[^\w\s]", " ", value)
    value = LEGAL_SUFFIXES.sub(" ", value)
    return " ".join(value.split())


def normalise_urn(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_urn(value: str) -> None:
    if not URN_RE.match(normalise_urn(value)):
        raise ValidationError(
            "'%(value)s' is not an Ofsted URN: use SC followed by 6 digits (SC123456), "
            "7 digits (1234567) or, for some older registrations, 6 digits (123456).",
            code="invalid_urn",
            params={"value": value},
        )


def validate_education_urn(value: str) -> None:
    if value and not EDUCATION_URN_RE.match(value):
        raise ValidationError(
            "'%(value)s' is not an education URN: use 6 or 7 digits.",
            code="invalid_education_urn",
            params={"value": value},
        )


def normalise_company_number(value: str) -> str:
    """Upper-case, strip spaces and zero-pad legacy short numbers to 8 characters.

    Spreadsheets often lose leading zeros ("123456" for "00123456"); prefixed
    numbers keep their prefix and pad the digits ("SC12345" -> "SC012345").
    """
    value = re.sub(r"\s+", "", value or "").upper()
    if not value:
        return ""
    match = COMPANY_PARTS_RE.match(value)
    if not match:
        return value
    prefix, digits = match.groups()
    return prefix + digits.zfill(8 - len(prefix)) if len(prefix) + len(digits) <= 8 else value


def validate_company_number(value: str) -> None:
    if value and not COMPANY_RE.match(normalise_company_number(value)):
        raise ValidationError(
            "'%(value)s' is not a Companies House number: use 8 digits (01234567), "
            "2 letters and 6 digits (SC123456) or R and 7 digits.",
            code="invalid_company_number",
            params={"value": value},
        )


def validate_charity_number(value: str) -> None:
    if value and not CHARITY_RE.match(value.strip().upper()):
        raise ValidationError(
            "'%(value)s' is not a charity number: use 6 to 8 digits (with an optional "
            "-1 suffix), SC0 and 5 digits, or NIC and 5 or 6 digits.",
            code="invalid_charity_number",
            params={"value": value},
        )


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) >= 5:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def validate_postcode(value: str) -> None:
    if value and not POSTCODE_RE.match(normalise_postcode(value)):
        raise ValidationError(
            "'%(value)s' is not a UK postcode.", code="invalid_postcode", params={"value": value}
        )


def validate_postcode_district(value: str) -> None:
    if value and not POSTCODE_DISTRICT_RE.match(value):
        raise ValidationError(
            "Give the postcode district only, in capitals, e.g. LE4: never the full postcode.",
            code="invalid_postcode_district",
        )


def validate_cpv(value: str) -> None:
    if value and not CPV_RE.match(value):
        raise ValidationError(
            "'%(value)s' is not a CPV code: use 8 digits with an optional check digit "
            "(85311300-5).",
            code="invalid_cpv",
            params={"value": value},
        )


def validate_initials(value: str) -> None:
    if value and not INITIALS_RE.match(value):
        raise ValidationError(
            "Initials are 1 to 4 capital letters, with no full name.", code="invalid_initials"
        )


def validate_case_id(value: str) -> None:
    if value and not CASE_ID_RE.match(value):
        raise ValidationError(
            "A case ID is 3 to 20 letters, digits, '-' or '/'.", code="invalid_case_id"
        )
