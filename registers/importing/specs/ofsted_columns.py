"""The columns Ofsted has published in its provider-level files, by every
name each has gone by, and how each cell reads."""

from registers.importing.cells import (
    CellError,
    Choice,
    DateValue,
    Integer,
    Parser,
    Text,
    YesNo,
    as_text,
    choice_key,
)
from registers.importing.columns import Column, header_key
from registers.importing.specs.common import JUDGEMENT_ALIASES, urn_parser
from registers.models import Inspection, InspectionType, Judgement, RegistrationStatus, Setting
from registers.validators import normalise_postcode, validate_education_urn, validate_postcode

REDACTED = "redacted"
# How some years' files write an empty cell.
BLANK_MARKERS = {"null", "???", "?"}
# Judgements some files give as Ofsted's grade numbers.
GRADES = {
    "1": Judgement.OUTSTANDING,
    "2": Judgement.GOOD,
    "3": Judgement.REQUIRES_IMPROVEMENT,
    "4": Judgement.INADEQUATE,
}
EVENT_TYPES = {
    "full": InspectionType.FULL,
    "full inspection": InspectionType.FULL,
    "interim": InspectionType.INTERIM,
    "interim inspection": InspectionType.INTERIM,
    "monitoring": InspectionType.MONITORING,
    "monitoring visit": InspectionType.MONITORING,
    "monitoring inspection": InspectionType.MONITORING,
    "assurance": InspectionType.ASSURANCE,
    "assurance visit": InspectionType.ASSURANCE,
    "assurance inspection": InspectionType.ASSURANCE,
}


class Published(Parser):
    """Ofsted's cell: ``NULL`` and ``???`` are blanks, then the column's own parser."""

    def __init__(self, inner: Parser):
        self.inner = inner
        self.blank = inner.blank

    def __call__(self, value, context):
        if value.__class__ is str and len(value) < 8 and value.strip().lower() in BLANK_MARKERS:
            return self.inner.blank
        return self.inner(value, context)

    def describe(self) -> str:
        return self.inner.describe()


class PublishedYesNo(YesNo):
    """Yes written as Yes, Y, or the column's own name; No as No, N or blank."""

    def __init__(self, *names: str):
        super().__init__(blank=None)
        self.names = {header_key(name) for name in names}

    def parse(self, value, context):
        if header_key(as_text(value)) in self.names:
            return True
        return super().parse(value, context)

    def describe(self) -> str:
        return "Yes, Y, the column's name (yes) or blank"


def ofsted_judgement() -> Choice:
    """Every wording Ofsted has used, and its grade numbers 1 to 4."""
    return Choice(Judgement.choices, aliases={**JUDGEMENT_ALIASES, **GRADES})


class Redactable(Text):
    """Text where REDACTED means "not published": read as a blank cell."""

    def parse(self, value, context):
        text = super().parse(value, context)
        return None if text.lower() == REDACTED else text


class Postcode(Redactable):
    def __init__(self):
        super().__init__(10, normalise=normalise_postcode, validator=validate_postcode)

    def parse(self, value, context):
        if as_text(value).lower() == REDACTED:
            return None
        return super().parse(value, context)


class EventType(Parser):
    def parse(self, value, context):
        key = choice_key(as_text(value))
        if key in EVENT_TYPES:
            return EVENT_TYPES[key]
        raise CellError("is not an inspection type: Full, Interim, Monitoring or Assurance")

    def describe(self) -> str:
        return "Full, Interim, Monitoring or Assurance"


def _setting(header, field, parser, *aliases, **options) -> Column:
    return Column(header, field, Published(parser), aliases=aliases, model=Setting, **options)


def _inspection(header, field, parser, *aliases) -> Column:
    return Column(header, field, Published(parser), aliases=aliases, model=Inspection)


def _yes_no(header, field, *aliases) -> Column:
    return _setting(header, field, PublishedYesNo(header, *aliases), *aliases)


def _known(header, *aliases) -> Column:
    """A column Ofsted publishes that the register does not keep."""
    return Column(header, aliases=aliases, importable=False)


SUB_JUDGEMENTS = (
    ("Outcomes in education and related learning activities", "outcomes_education"),
    ("Health services", "health_services"),
    (
        "How well children and young people are helped and protected",
        "help_and_protection",
        "How well children are helped and protected",
        "Safeguarding children and young people",
    ),
    (
        "The effectiveness of leaders and managers",
        "leadership_management",
        "Effectiveness of leaders and managers",
        "Leadership and management",
    ),
    ("Outcomes for children and young people", "outcomes_children"),
    ("Quality of care", "quality_of_care"),
)
URN = "URN"
PROVISION_TYPE = "Provision type"
LOCAL_AUTHORITY = "Local authority"
REGISTRATION_DATE = "Registration date"
REGISTRATION_STATUS = "Registration status"
GOVERNMENT_OFFICE_REGION = "Government Office Region"
OWNER = "Organisation which owns the provider"
EVENT_TYPE = "Latest full inspection event type"
INSPECTION_DATE = "Latest full inspection date"
EVENT_NUMBER = "Latest full inspection event number"
OVERALL = "Overall experiences and progress of children and young people"


COLUMNS = [
    _setting(
        "URN",
        "urn",
        urn_parser(),
        "Unique reference number",
        "Social care URN",
        "Provider URN",
        key=True,
    ),
    _setting(
        "Linked education URN",
        "linked_education_urn",
        Text(7, validator=validate_education_urn),
        "Linked URN",
        "Education URN",
    ),
    _setting(
        PROVISION_TYPE,
        "provision_type",
        Text(120),
        "Provider type",
        "Type of provision",
        "Setting type",
        required=True,
    ),
    _setting(
        "Registration date",
        "registration_date",
        DateValue(),
        "Date of registration",
        "Registered date",
        "First effective date (that the provider became active)",
    ),
    _setting(
        "Registration status",
        "registration_status",
        Choice(
            RegistrationStatus.choices,
            aliases={
                "registered": RegistrationStatus.ACTIVE,
                "canceled": RegistrationStatus.CANCELLED,
                "deregistered": RegistrationStatus.CANCELLED,
                "resigned registration": RegistrationStatus.RESIGNED,
            },
        ),
        "Reg Status",
        "Status",
        # "... at 31 March 2020", "... (as at @enddate)": the status at the end of the year.
        patterns=(r"^(reg|registration) status (as )?at (?!.*start)",),
    ),
    _setting(
        "Name",
        "name",
        Redactable(200),
        "Setting name",
        "Provider name",
        "Provision name",
    ),
    _setting("Address 1", "address_line_1", Redactable(200), "Address line 1"),
    _setting("Address 2", "address_line_2", Redactable(200), "Address line 2"),
    _setting("Town", "town", Redactable(100), "Town/City", "Setting town"),
    _setting("County", "county", Redactable(100), "Setting county"),
    _setting("Postcode", "postcode", Postcode(), "Post code", "Setting postcode"),
    _setting("Ofsted region", "ofsted_region", Text(60), "Region"),
    Column(
        GOVERNMENT_OFFICE_REGION,
        parser=Published(Text(60)),
        aliases=("GOR", "Government office region name"),
    ),
    _setting(
        LOCAL_AUTHORITY,
        "local_authority",
        Text(100),
        "LA",
        "LA name",
        "Local authority name",
    ),
    _setting("Sector", "ofsted_sector", Text(40), "Provider sector", "Provision sector"),
    _setting(
        "Places",
        "places",
        Integer(0, 10_000),
        "Number of places",
        "Maximum number of places",
        "Registered places",
    ),
    _yes_no(
        "Short-break-only children's home",
        "is_short_breaks_only",
        "Short breaks only children's home",
        "Short break only children's home",
        "Short breaks only",
    ),
    _yes_no("Multi-building children's home", "is_multi_building", "Multi building home"),
    Column(
        OWNER,
        parser=Published(Redactable(200)),
        aliases=(
            "Organisation that owns the provider",
            "Owner",
            "Owner name",
            "Organisation name",
            "Responsible individual organisation",
        ),
    ),
    _inspection(
        EVENT_TYPE,
        "inspection_type",
        EventType(),
        "Event type",
        "Inspection event type",
        "Inspection type",
    ),
    _inspection(
        INSPECTION_DATE,
        "inspection_date",
        DateValue(),
        "Inspection date",
        "Latest full inspection - inspection date",
        "Date of latest full inspection",
    ),
    _inspection(
        "Latest full inspection publication date",
        "publication_date",
        DateValue(),
        "Publication date",
        "Report publication date",
    ),
    _inspection(
        EVENT_NUMBER,
        "event_number",
        Text(20),
        "Event number",
        "Inspection ID",
        "Inspection number",
    ),
    _inspection(
        OVERALL,
        "overall",
        ofsted_judgement(),
        "Overall effectiveness",
        "Overall judgement",
        "Overall experiences and progress of children",
    ),
    *[
        _inspection(header, field, ofsted_judgement(), *aliases)
        for header, field, *aliases in SUB_JUDGEMENTS
    ],
    _known("Web link", "Weblink", "Ofsted webpage"),
    _known("Parliamentary constituency", "Parliamentary constituency name"),
    _known("Local authority code"),
    _known("Ward"),
    _known("Multi-building children's home count"),
]


# --- what both kinds of Ofsted file do with a setting's row ----------------------------
