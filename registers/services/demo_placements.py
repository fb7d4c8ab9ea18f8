"""The demo council's placement checks (manual 003), written through the services:
a crisis placement on a narrowboat nearing its end, a holiday away from a regulated
home, and supported accommodation whose gas safety certificate has expired."""

from datetime import date, timedelta

from registers.dates import add_months
from registers.models import (
    ComplianceDocument,
    ComplianceDocumentKind,
    PlacementCheck,
    Provider,
    Setting,
)
from registers.services.compliance import compliance_document_save
from registers.services.placement_checks import (
    Signatory,
    placement_check_save,
    placement_check_sign_off,
)
from registers.services.settings import setting_save

REASON = "Demo data"
SOCIAL_WORKER = "Amy Clarke"
TEAM_MANAGER = "Raj Patel"
# The provider's own documents every check below finds current.
PROVIDER_KINDS = (
    "Employer's liability insurance",
    "Public liability insurance",
    "Statement of purpose",
    "Safeguarding policy",
    "DBS policy",
)


def _setting(name: str, provision: str, provider: Provider, town: str, *, user) -> Setting:
    setting = Setting(
        urn=None,
        name=name,
        provider=provider,
        provision_type=provision,
        town=town,
        local_authority="Sefton",
        ofsted_region="North West",
    )
    return setting_save(setting=setting, user=user, reason=REASON)


def _document(kind: str, *, issued: date, user, provider=None, setting=None) -> None:
    compliance_document_save(
        document=ComplianceDocument(
            kind=ComplianceDocumentKind.objects.get(name=kind),
            provider=provider,
            setting=setting,
            reference=f"DEMO-{kind[:3].upper()}-{issued:%y%m%d}",
            issue_date=issued,
            checked_on=issued + timedelta(days=3),
        ),
        user=user,
        reason=REASON,
    )


def _answers(today: date, **kwargs) -> dict:
    values = {
        "host_authority_outcome": "satisfactory",
        "host_authority_notes": "Host authority notified; no concerns held about the provider.",
        "references_outcome": "satisfactory",
        "references_notes": "Two placing authorities' references received.",
        "financial_outcome": "satisfactory",
        "financial_notes": "Latest filed accounts show net assets; no charges registered.",
        "policies_outcome": "satisfactory",
        "policies_notes": "Missing-from-care and behaviour policies seen.",
        "visit_frequency_weeks": 1,
        "risk_assessment_review_on": today + timedelta(days=14),
    }
    values.update(kwargs)
    return values


def build_placement_checks(*, providers: list[Provider], users: dict, today: date) -> int:
    manager, support = users["manager"], users["support"]
    afloat, harbour, coast = providers[2], providers[4], providers[6]
    for provider in (afloat, harbour, coast):
        for kind in PROVIDER_KINDS:
            _document(kind, issued=today - timedelta(days=120), provider=provider, user=support)

    boat = _setting("Leeds-Liverpool narrowboat", "Unregulated", afloat, "Burscough", user=manager)
    flats = _setting(
        "Harbour Lodge supported flats",
        "Supported accommodation",
        harbour,
        "Southport",
        user=manager,
    )
    cottage = _setting("Formby holiday cottage", "Unregulated", coast, "Formby", user=manager)
    # Harbour Lodge: wiring checked two years ago, gas last certified 13 months ago.
    _document(
        "Electrical installation condition report",
        issued=add_months(today, -24),
        setting=flats,
        user=support,
    )
    _document("Gas safety certificate", issued=add_months(today, -13), setting=flats, user=support)

    crisis = placement_check_save(
        check=PlacementCheck(
            case_id="ICS-301877",
            child_initials="LW",
            legal_status="Interim care order (s38)",
            setting=boat,
            placement_type="crisis",
            start_date=today - timedelta(days=40),
            end_date=today + timedelta(days=5),
            care_or_support="care",
            static_or_mobile="mobile",
            staffing_arrangements="Two skippers and a residential worker, 2:1 at all times.",
            needs_met="Daily education sessions on board; CAMHS appointments kept by video.",
            risk_management="No phone signal black spots on the route; moorings agreed "
            "with the police; exploitation risk plan shared with the crew.",
            move_on_plan="Return to a registered children's home in Sefton, matched by "
            "the placements team.",
            move_on_by=today + timedelta(days=5),
            **_answers(today - timedelta(days=40)),
        ),
        user=manager,
        reason=REASON,
    )
    for signatory, name in (
        (Signatory.SOCIAL_WORKER, SOCIAL_WORKER),
        (Signatory.TEAM_MANAGER, TEAM_MANAGER),
    ):
        placement_check_sign_off(
            check=crisis,
            user=manager,
            signatory=signatory,
            name=name,
            signed_on=today - timedelta(days=40),
            override_reason="A narrowboat: Boat Safety Scheme certificate seen in place of "
            "gas and electrical certificates.",
            today=today,
        )

    placement_check_save(
        check=PlacementCheck(
            case_id="ICS-288410",
            child_initials="DO",
            legal_status="Care order (s31)",
            setting=cottage,
            placement_type="holiday",
            start_date=today - timedelta(days=6),
            end_date=today + timedelta(days=8),
            care_or_support="care",
            static_or_mobile="static",
            staffing_arrangements="The child's own home's staff, on the home's rota.",
            needs_met="Staff from the child's registered home travel with them.",
            risk_management="The home's risk assessment applies; daily call to the manager.",
            move_on_plan="Returns to the registered home at the end of the holiday.",
            move_on_by=today + timedelta(days=8),
            **_answers(today - timedelta(days=6)),
        ),
        user=manager,
        reason=REASON,
    )

    placement_check_save(
        check=PlacementCheck(
            case_id="ICS-276553",
            child_initials="SM",
            legal_status="Section 20",
            setting=flats,
            placement_type="ongoing",
            start_date=today + timedelta(days=3),
            care_or_support="support",
            static_or_mobile="static",
            staffing_arrangements="Floating support 15 hours a week; on-call worker overnight.",
            needs_met="Independence skills programme; college enrolment in September.",
            risk_management="Curfew agreed; visitors' policy explained to the young person.",
            move_on_plan="Own tenancy through the leaving-care team at 18.",
            move_on_by=add_months(today, 9),
            **_answers(
                today,
                host_authority_outcome="awaited",
                host_authority_notes="Sefton is the host authority; notified this week.",
                visit_frequency_weeks=2,
            ),
        ),
        user=manager,
        reason=REASON,
    )
    return 3
