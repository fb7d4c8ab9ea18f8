"""Ofsted's provider-level files, built for tests: the layouts DESIGN.md and
the shared data's README describe, and the excerpts kept in fixtures/."""

from datetime import datetime
from pathlib import Path

from tests.spreadsheets import csv_bytes, xlsx_bytes

EXCERPT_2016 = (
    Path(__file__).resolve().parent.parent / "fixtures/samples/ofsted_providers_2016_excerpt.csv"
)

# The latest layout, as DESIGN.md lists it.
LATEST_HEADER = [
    "Web link",
    "URN",
    "Linked Education URN",
    "Provision type",
    "Registration date",
    "Registration status",
    "Name",
    "Address 1",
    "Address 2",
    "Town",
    "County",
    "Postcode",
    "Ofsted region",
    "Government Office Region",
    "Local authority",
    "Parliamentary constituency",
    "Sector",
    "Places",
    "Short-break-only children's home",
    "Multi-building children's home",
    "Organisation which owns the provider",
    "Latest full inspection event type",
    "Latest full inspection date",
    "Latest full inspection publication date",
    "Latest full inspection event number",
    "Overall experiences and progress of children and young people",
    "Outcomes in education and related learning activities",
    "Health services",
    "How well children and young people are helped and protected",
    "The effectiveness of leaders and managers",
]


def latest_row(
    urn,
    owner,
    judgement,
    *,
    name="REDACTED",
    event="20001",
    inspected=datetime(2024, 9, 3),
    published=datetime(2024, 10, 1),
):
    return [
        "https://reports.ofsted.gov.uk/",
        urn,
        "",
        "Children's home",
        datetime(2019, 5, 1),
        "Active",
        name,
        "REDACTED",
        "REDACTED",
        "REDACTED",
        "REDACTED",
        "REDACTED",
        "North West",
        "North West",
        "Sefton",
        "Sefton Central",
        "Private",
        4,
        "No",
        "No",
        owner,
        "Full inspection",
        inspected,
        published,
        event,
        judgement,
        "",
        "",
        judgement,
        judgement,
    ]


def latest_layout_xlsx(rows) -> bytes:
    title = [
        ["Children's social care data in England 2024: providers as at 31 March 2024"],
        ["Source: Ofsted. Names and addresses of children's homes are redacted."],
        [],
    ]
    return xlsx_bytes(title + [LATEST_HEADER] + rows + [[], []])


# A third layout: other column names, header further down, Windows-1252 CSV.
OLDER_HEADER = [
    "URN",
    "Provision type",
    "Reg Status",
    "Setting Name",
    "Address line 1",
    "Town",
    "Postcode",
    "Local Authority",
    "Region",
    "Sector",
    "Number of places",
    "Owner name",
    "Inspection type",
    "Inspection date",
    "Publication date",
    "Inspection ID",
    "Overall effectiveness",
    "Leadership and management",
]


def older_layout_csv(rows) -> bytes:
    title = [["Ofsted: social care providers and inspections"], ["Published 2019"], []]
    return csv_bytes(title + [OLDER_HEADER] + rows, encoding="cp1252")


def older_row(urn, owner, judgement, event="30001", name="Café House"):
    return [
        urn,
        "Independent fostering agency",
        "Active",
        name,
        "1 High St",
        "Crosby",
        "L23 1AA",
        "Sefton",
        "North West",
        "Voluntary",
        "",
        owner,
        "Full Inspection",
        "12/03/2019",
        "02/04/2019",
        event,
        judgement,
        judgement,
    ]


# --- the shared files' excerpts (cut by scripts/ofsted_excerpts.py) ----------------------

EXCERPTS = Path(__file__).resolve().parent.parent / "fixtures/ofsted"
PROVIDERS_2016 = EXCERPTS / "providers_2016_excerpt.csv"
PROVIDERS_2023 = EXCERPTS / "providers_2023_excerpt.csv"
JOINERS_LEAVERS = {
    year: EXCERPTS / f"joiners_leavers_{year}_excerpt.csv" for year in (2018, 2020, 2022)
}
# Leavers each joiners-and-leavers excerpt names that the 2016 excerpt also holds.
LEAVERS_IN_2016 = {
    2018: {"1179497", "SC001835", "SC003048"},
    2020: {"1027076", "1155768", "SC005039"},
    2022: {"1027081", "1027090", "SC003897"},
}


# --- layouts the shared files do not show, as the data README describes them -------------

OLDEST_HEADER = [  # an early year: no names, no owners, 6-digit URNs, coded grades
    "URN",
    "Provider type",
    "Reg Status",
    "LA",
    "Places",
    "Short breaks only",
    "Inspection ID",
    "Inspection date",
    "Overall effectiveness",
]


def oldest_layout_csv(rows, encoding="cp1252") -> bytes:
    return csv_bytes([["Social care providers"], [], OLDEST_HEADER, *rows], encoding=encoding)


NO_INSPECTIONS_HEADER = ["URN", "Setting Name", "Provision type", "Local authority", "Reg Status"]


def no_inspections_csv(rows) -> bytes:
    return csv_bytes([NO_INSPECTIONS_HEADER, *rows], encoding="cp1252")


JOINERS_LEAVERS_XLSX_HEADER = [  # another year: other names, an xlsx, dates as dates
    "URN",
    "Provision type",
    "Local authority",
    "Registration date",
    "Resigned or cancelled date",
    "Joiner",
    "Leaver",
    "Registration status at 31 March 2019",
    "Setting name",
]


def joiners_leavers_xlsx(rows) -> bytes:
    title = [["Joiners and leavers 2018-19"], ["Source: Ofsted"]]
    return xlsx_bytes(title + [JOINERS_LEAVERS_XLSX_HEADER] + rows)
