"""A believable council's registers for demonstration and manual testing.

Dates are relative to today, so there are always contracts expiring soon,
visits overdue and reviews missing. Random choices use a fixed seed, so two
runs on two machines give the same register.
"""

import json
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from registers import roles
from registers.dates import add_months, last_completed_quarter
from registers.models import (
    ActionItem,
    ActionStatus,
    ApprovalStatus,
    AuthoriserRole,
    Concern,
    ConcernCategory,
    ConcernStage,
    Contract,
    ContractReview,
    ContractVariation,
    Framework,
    FrameworkKind,
    FundApplicantKind,
    FundStatus,
    Inspection,
    InspectionType,
    Judgement,
    KpiOutcome,
    Lot,
    ProcurementRoute,
    Provider,
    Rag,
    Sector,
    Setting,
    SpotFundApplication,
    TenderType,
    VariationKind,
    Visit,
    VisitKind,
    VisitReason,
    VisitStatus,
)
from registers.models.providers import normalise_provider_name
from registers.services.access import sync_contract_manager, sync_visit_lead

NAMES_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "names.json"
REASON = "Demo data"
DEMO_COMPANY_PREFIX = "0990"

DEMO_USERS = [
    # username, first, last, role
    ("manager", "Sarah", "Ahmed", roles.MANAGER),
    ("support", "Jo", "Brennan", roles.BUSINESS_SUPPORT),
    ("qa1", "Priya", "Shah", roles.QA_OFFICER),
    ("qa2", "Tom", "Walsh", roles.QA_OFFICER),
    ("officer", "Dan", "Okafor", roles.COMMISSIONING_OFFICER),
    ("auditor", "Helen", "Price", roles.AUDITOR),
]

PROVISION_TYPES = [
    ("Children's home", 60),
    ("Independent fostering agency", 15),
    ("Residential special school", 12),
    ("Supported accommodation", 15),
    ("Residential family centre", 4),
    ("Secure children's home", 2),
    ("Residential holiday scheme for disabled children", 4),
    ("Boarding school", 4),
]
JUDGEMENT_WEIGHTS = [
    (Judgement.OUTSTANDING, 18),
    (Judgement.GOOD, 52),
    (Judgement.REQUIRES_IMPROVEMENT, 22),
    (Judgement.INADEQUATE, 8),
]
ROUTES = [
    (ProcurementRoute.FRAMEWORK_CALL_OFF, 18),
    (ProcurementRoute.FPS_CALL_OFF, 14),
    (ProcurementRoute.DPS_CALL_OFF, 10),
    (ProcurementRoute.INDIVIDUAL_PLACEMENT, 12),
    (ProcurementRoute.OPEN_TENDER, 8),
    (ProcurementRoute.BLOCK_CONTRACT, 6),
    (ProcurementRoute.SPOT_PURCHASE, 6),
    (ProcurementRoute.GRANT, 3),
    (ProcurementRoute.DIRECT_AWARD, 3),
]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def demo_present() -> bool:
    return Provider.objects.filter(company_number__startswith=DEMO_COMPANY_PREFIX).exists()


def ensure_demo_users(*, password: str) -> list[tuple[str, str]]:
    """The six demo logins, one per role. Safe to repeat."""
    user_model = get_user_model()
    logins = []
    for username, first, last, role in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@council.example.gov.uk"
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        logins.append((username, role))
    return logins


@transaction.atomic
def build_demo(*, today: date | None = None) -> dict[str, int]:
    """Create the demo registers once. Returns counts of what was made."""
    from django.utils import timezone

    today = today or timezone.localdate()
    rng = random.Random(2026)
    names = json.loads(NAMES_FILE.read_text())
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[row[0] for row in DEMO_USERS])
    }
    actor = users["manager"]
    history = {"default_user": actor, "default_change_reason": REASON}

    providers = _providers(rng, names, today)
    bulk_create_with_history(providers, Provider, **history)
    settings_ = _settings(rng, names, providers, today)
    bulk_create_with_history(settings_, Setting, **history)
    inspections = _inspections(rng, settings_, today)
    bulk_create_with_history(inspections, Inspection, **history)
    frameworks, lots = _frameworks(rng, providers, today, actor)
    contracts = _contracts(rng, providers, settings_, lots, users, today)
    reviews, variations = _contract_follow_up(rng, contracts, users, today)
    bulk_create_with_history(contracts, Contract, **history)
    for contract in contracts:
        if contract.contract_manager_id:
            sync_contract_manager(contract=contract)
    for record in [*reviews, *variations]:
        record.contract_id = record.contract.pk
    bulk_create_with_history(reviews, ContractReview, **history)
    bulk_create_with_history(variations, ContractVariation, **history)
    visits, actions = _visits(rng, names, settings_, users, today)
    visits = bulk_create_with_history(visits, Visit, **history)
    for visit in visits:
        if visit.lead_officer_id:
            sync_visit_lead(visit=visit)
    for action in actions:
        action.visit_id = action.visit.pk
    bulk_create_with_history(actions, ActionItem, **history)
    concerns = _concerns(rng, settings_, users, today)
    bulk_create_with_history(concerns, Concern, **history)
    funds = _spot_funds(rng, providers, users, today)
    bulk_create_with_history(funds, SpotFundApplication, **history)

    from registers.services.ofsted import respond_to_settings

    outcome = respond_to_settings(
        setting_ids=[s.pk for s in settings_], user=actor, today=today, notify=False
    )
    return {
        "providers": len(providers),
        "settings": len(settings_),
        "inspections": len(inspections),
        "frameworks": len(frameworks),
        "contracts": len(contracts),
        "visits": len(visits) + len(outcome.visits_created),
        "action items": len(actions),
        "concerns": len(concerns),
        "spot fund applications": len(funds),
    }


def _providers(rng, names, today) -> list[Provider]:
    providers = []
    for index, name in enumerate(names["providers"]):
        town, county, _, postcode_area = rng.choice(names["places"])
        sector = _weighted(
            rng, [(Sector.PRIVATE, 6), (Sector.VOLUNTARY, 3), (Sector.LOCAL_AUTHORITY, 1)]
        )
        status = _weighted(
            rng,
            [
                (ApprovalStatus.APPROVED, 70),
                (ApprovalStatus.APPROVED_WITH_CONDITIONS, 10),
                (ApprovalStatus.APPLICANT, 12),
                (ApprovalStatus.SUSPENDED, 6),
                (ApprovalStatus.REMOVED, 2),
            ],
        )
        reason = {
            ApprovalStatus.APPROVED_WITH_CONDITIONS: "Monthly staffing returns until the next "
            "Ofsted inspection.",
            ApprovalStatus.SUSPENDED: "Suspended pending the outcome of a safeguarding enquiry.",
            ApprovalStatus.REMOVED: "Removed at the provider's request.",
        }.get(status, "")
        provider = Provider(
            name=name,
            company_number=f"{DEMO_COMPANY_PREFIX}{index:04d}",
            charity_number=f"11{index:05d}" if sector == Sector.VOLUNTARY else "",
            sector=sector,
            is_sme=rng.random() < 0.7,
            is_vcse=sector == Sector.VOLUNTARY,
            address_line_1=f"{rng.randint(1, 250)} {rng.choice(names['streets'])}",
            town=town,
            county=county,
            postcode=f"{postcode_area} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            contact_name=rng.choice(
                [
                    "Alex Morgan",
                    "Sam Patel",
                    "Chris Doyle",
                    "Lee Hughes",
                    "Rachel Green",
                    "Imran Khan",
                ]
            ),
            contact_email=f"commissioning@{name.split()[0].lower()}.example.org",
            contact_phone=f"01{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            approval_status=status,
            approval_status_changed_on=today - timedelta(days=rng.randint(30, 900)),
            approval_status_reason=reason,
        )
        provider.normalised_name = normalise_provider_name(name)
        providers.append(provider)
    return providers


def _settings(rng, names, providers, today) -> list[Setting]:
    settings_ = []
    home_names = list(names["home_names"])
    for index in range(120):
        provider = providers[index % len(providers)] if index < 112 else None
        provision = _weighted(rng, PROVISION_TYPES)
        town, _, authority, postcode_area = rng.choice(names["places"])
        urn = f"SC{400000 + index * 37:06d}" if index % 9 else f"{2500000 + index:07d}"
        name = (
            f"{rng.choice(home_names)}{'' if index < len(home_names) else f' {index}'}"
            if provision == "Children's home"
            else f"{provider.name if provider else 'Unmatched'} {provision.split()[0]} service"
        )
        settings_.append(
            Setting(
                urn=urn,
                provider=provider,
                name=name,
                provision_type=provision,
                registration_date=today - timedelta(days=rng.randint(400, 6000)),
                places=rng.randint(2, 8) if provision == "Children's home" else rng.randint(10, 60),
                town=town,
                postcode=f"{postcode_area} {rng.randint(1, 9)}AB",
                local_authority=authority,
                ofsted_region="North West",
                ofsted_sector=provider.get_sector_display() if provider else "Private",
                is_short_breaks_only=provision == "Children's home" and rng.random() < 0.1,
            )
        )
    return settings_


def _inspections(rng, settings_, today) -> list[Inspection]:
    inspections = []
    event = 10_100_000
    for setting in settings_:
        count = rng.choice([0, 1, 2, 2, 3, 3, 4]) if setting.urn[-1] != "0" else 0
        when = today - timedelta(days=rng.randint(20, 400))
        for step in range(count):
            judgement = _weighted(rng, JUDGEMENT_WEIGHTS)
            if step == count - 1 and when.year < 2015:
                judgement = rng.choice([Judgement.ADEQUATE, Judgement.SATISFACTORY, judgement])
            event += 1
            inspections.append(
                Inspection(
                    setting=setting,
                    event_number=str(event),
                    inspection_type=InspectionType.FULL,
                    inspection_date=when,
                    publication_date=when + timedelta(days=rng.randint(14, 40)),
                    overall=judgement,
                    help_and_protection=judgement,
                    leadership_management=_weighted(rng, JUDGEMENT_WEIGHTS),
                )
            )
            if step == 0 and rng.random() < 0.2:
                event += 1
                inspections.append(
                    Inspection(
                        setting=setting,
                        event_number=str(event),
                        inspection_type=InspectionType.INTERIM,
                        inspection_date=when + timedelta(days=rng.randint(60, 150)),
                        overall=rng.choice(
                            [Judgement.IMPROVED, Judgement.SUSTAINED, Judgement.DECLINED]
                        ),
                    )
                )
            when -= timedelta(days=rng.randint(300, 700))
    for inspection in inspections:
        if inspection.publication_date and inspection.publication_date > today:
            inspection.publication_date = today
        inspection.setting_id = inspection.setting.pk
    return inspections


def _frameworks(rng, providers, today, actor):
    specs = [
        (
            "North West Flexible Purchasing System for SEND placements",
            "NW-FPS-2024",
            FrameworkKind.FPS,
            "Cheshire East Council (lead authority for 23 councils)",
            ["Independent special schools", "Residential special schools", "Post-16 specialist"],
        ),
        (
            "Children's residential care framework",
            "CRC-2023",
            FrameworkKind.FRAMEWORK,
            "",
            ["Mainstream residential", "Complex needs residential", "Solo placements"],
        ),
        (
            "Short breaks and domiciliary care DPS",
            "SBD-DPS-2025",
            FrameworkKind.DPS,
            "",
            ["Short breaks", "Domiciliary care", "Holiday schemes", "Sitting service"],
        ),
    ]
    frameworks, lots = [], []
    for name, reference, kind, lead, lot_names in specs:
        framework = Framework(
            name=name,
            reference=reference,
            kind=kind,
            lead_authority=lead,
            description=f"{name}, let for children's services commissioning.",
            start_date=add_months(today, -rng.randint(12, 30)),
            end_date=add_months(today, rng.randint(12, 40)),
        )
        framework._history_user = actor
        framework._change_reason = REASON
        framework.save()
        frameworks.append(framework)
        for number, lot_name in enumerate(lot_names, start=1):
            lot = Lot(framework=framework, number=number, name=lot_name)
            lot._history_user = actor
            lot._change_reason = REASON
            lot.save()
            lot.providers.set(rng.sample(providers[:34], 9))
            lots.append(lot)
    return frameworks, lots


def _contracts(rng, providers, settings_, lots, users, today) -> list[Contract]:
    contracts = []
    approved = [
        p
        for p in providers
        if p.approval_status in (ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CONDITIONS)
    ]
    settings_by_provider: dict[int, list[Setting]] = {}
    for setting in settings_:
        if setting.provider_id:
            settings_by_provider.setdefault(setting.provider_id, []).append(setting)
    kind_for_route = {
        ProcurementRoute.FRAMEWORK_CALL_OFF: FrameworkKind.FRAMEWORK,
        ProcurementRoute.FPS_CALL_OFF: FrameworkKind.FPS,
        ProcurementRoute.DPS_CALL_OFF: FrameworkKind.DPS,
    }
    for index in range(80):
        route = _weighted(rng, ROUTES)
        lot = None
        provider = rng.choice(approved)
        if route in kind_for_route:
            lot = rng.choice([lot for lot in lots if lot.framework.kind == kind_for_route[route]])
            provider = rng.choice(list(lot.providers.all()))
        # A spread of end dates: some long gone, many live, some ending soon.
        shape = index % 10
        if shape == 0:
            start = add_months(today, -rng.randint(30, 48))
            end = add_months(today, -rng.randint(1, 6))
        elif shape in (1, 2):
            start = add_months(today, -rng.randint(20, 36))
            end = today + timedelta(days=rng.randint(20, 200))
        elif shape == 3:
            start = today + timedelta(days=rng.randint(10, 60))
            end = add_months(start, 24)
        else:
            start = add_months(today, -rng.randint(3, 24))
            end = add_months(today, rng.randint(9, 40))
        annual = Decimal(rng.choice([3800, 12500, 48000, 96000, 156000, 230000, 410000]))
        years = max(1, (end - start).days // 365)
        setting = rng.choice(settings_by_provider.get(provider.pk, [None]))
        is_spot = route == ProcurementRoute.SPOT_PURCHASE
        contract = Contract(
            reference=f"CS-{today.year - 3 + index % 4}-{index + 1:03d}",
            title=_contract_title(route, setting, provider),
            description=f"{ProcurementRoute(route).label} with {provider.name} for looked-after "
            "children and young people.",
            provider=provider,
            setting=setting,
            department="Children's Services",
            cost_centre=f"CS{rng.randint(100, 999)}",
            service_category=rng.choice(
                [
                    "Residential care",
                    "Fostering",
                    "SEND education",
                    "Short breaks",
                    "Supported accommodation",
                ]
            ),
            cpv_code=rng.choice(["85311300-5", "85312000-9", "80340000-9", ""]),
            procurement_route=route,
            tender_type=TenderType.PUBLISHED_TENDER
            if route == ProcurementRoute.OPEN_TENDER
            else (
                TenderType.INVITATION_TO_QUOTE
                if route == ProcurementRoute.BLOCK_CONTRACT
                else TenderType.NEITHER
            ),
            lot=lot,
            contract_manager=rng.choice([users["officer"], users["officer"], users["manager"]]),
            start_date=start,
            end_date=end,
            review_date=min(end, add_months(start, 12)),
            notice_period_months=rng.choice([1, 3, 3, 6]),
            extension_options=rng.choice([0, 1, 2]),
            extension_months=12,
            annual_value=annual,
            total_value=annual * years,
            vat_not_recoverable=Decimal("0.00") if index % 7 else None,
            is_key_contract=annual >= 230000,
            spot_justification=(
                "No framework provider could offer a solo placement near the child's school "
                "within the timescale set by the court."
                if is_spot
                else ""
            ),
            spot_requested_by=users["support"] if is_spot else None,
        )
        if is_spot and index % 3:
            contract.spot_authorised_by = users["manager"]
            contract.spot_authoriser_role = AuthoriserRole.HEAD_OF_SERVICE
            contract.spot_authorised_on = start
        if index == 17:
            contract.terminated_on = today - timedelta(days=40)
            contract.termination_reason = "Provider gave notice; children moved to new placements."
        contracts.append(contract)
    return contracts


def _contract_title(route, setting, provider) -> str:
    if route == ProcurementRoute.INDIVIDUAL_PLACEMENT:
        return f"Individual placement at {setting.name if setting else provider.name}"
    if route == ProcurementRoute.SPOT_PURCHASE:
        return f"Spot placement with {provider.name}"
    return f"{ProcurementRoute(route).label}: {provider.name}"


def _contract_follow_up(rng, contracts, users, today):
    year, quarter = last_completed_quarter(today)
    reviews, variations = [], []
    for index, contract in enumerate(contracts):
        live = contract.start_date <= today <= contract.end_date and not contract.terminated_on
        if live and index % 6:
            reviews.append(
                ContractReview(
                    contract=contract,
                    year=year,
                    quarter=quarter,
                    rag=_weighted(rng, [(Rag.GREEN, 6), (Rag.AMBER, 3), (Rag.RED, 1)]),
                    kpis=_weighted(
                        rng,
                        [(KpiOutcome.MET, 6), (KpiOutcome.PARTLY_MET, 3), (KpiOutcome.NOT_MET, 1)],
                    ),
                    notes="Quarterly monitoring meeting held; returns received on time.",
                    reviewer=contract.contract_manager or users["officer"],
                    reviewed_on=today - timedelta(days=rng.randint(5, 40)),
                )
            )
        if live and index % 9 == 4 and contract.annual_value:
            before = contract.annual_value
            after = (before * Decimal("1.035")).quantize(Decimal("0.01"))
            variations.append(
                ContractVariation(
                    contract=contract,
                    kind=VariationKind.UPLIFT,
                    effective_date=date(today.year, 4, 1)
                    if today.month >= 4
                    else date(today.year - 1, 4, 1),
                    percentage=Decimal("3.50"),
                    reason="Annual inflationary uplift (Contract Price Uplift Process).",
                    approved_by="Head of Commissioning",
                    previous_annual_value=before,
                    resulting_annual_value=after,
                    applied_on=today - timedelta(days=30),
                )
            )
            contract.annual_value = after
    return reviews, variations


def _visits(rng, names, settings_, users, today):
    visits, actions = [], []
    officers = [users["qa1"], users["qa2"]]
    for index, setting in enumerate(settings_):
        if setting.provider is None or index % 5 == 4:
            continue
        lead = officers[index % 2]
        past = Visit(
            setting=setting,
            lead_officer=lead,
            kind=rng.choice(list(VisitKind)),
            reason=VisitReason.ROUTINE,
            planned_date=today - timedelta(days=rng.randint(60, 330)),
            status=VisitStatus.REPORT_ISSUED if index % 3 else VisitStatus.COMPLETED,
            rag=_weighted(rng, [(Rag.GREEN, 5), (Rag.AMBER, 3), (Rag.RED, 1)]),
            findings=rng.choice(names["findings"]),
            recommendations="Continue to monitor through quarterly contract reviews.",
        )
        past.actual_date = past.planned_date
        if past.status == VisitStatus.REPORT_ISSUED:
            past.report_issued_on = past.actual_date + timedelta(days=10)
        visits.append(past)
        for number in range(rng.choice([0, 1, 2, 3])):
            due = past.actual_date + timedelta(days=rng.randint(20, 120))
            done = due < today and rng.random() < 0.6
            actions.append(
                ActionItem(
                    visit=past,
                    description=names["actions"][(index + number) % 6],
                    owner="Registered manager",
                    due_date=due,
                    status=ActionStatus.DONE
                    if done
                    else rng.choice([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
                    completed_on=due if done else None,
                )
            )
        if index % 3 == 0:
            visits.append(
                Visit(
                    setting=setting,
                    lead_officer=lead,
                    kind=VisitKind.ANNOUNCED,
                    reason=VisitReason.ROUTINE,
                    planned_date=today + timedelta(days=rng.randint(-12, 45)),
                    status=VisitStatus.PLANNED,
                )
            )
    return visits, actions


def _concerns(rng, settings_, users, today) -> list[Concern]:
    concerns = []
    samples = [
        (
            ConcernCategory.SAFEGUARDING,
            "Two missing-from-care episodes not reported within 24 hours.",
            ConcernStage.MANAGER,
            14,
        ),
        (
            ConcernCategory.QUALITY,
            "Parent raised concerns about the quality of short-break care.",
            ConcernStage.PRACTITIONER,
            4,
        ),
        (
            ConcernCategory.CONTRACT_COMPLIANCE,
            "Monthly KPI returns not submitted for two months.",
            ConcernStage.FORMAL_LETTER,
            6,
        ),
        (
            ConcernCategory.FINANCIAL,
            "Invoices for placements that ended were submitted.",
            ConcernStage.PRACTITIONER,
            20,
        ),
        (
            ConcernCategory.QUALITY,
            "Staff turnover high; agency use over 40% of shifts.",
            ConcernStage.MANAGER,
            3,
        ),
    ]
    for number, (category, description, stage, age) in enumerate(samples):
        setting = settings_[number * 7 + 2]
        concerns.append(
            Concern(
                provider=setting.provider,
                setting=setting,
                category=category,
                description=description,
                raised_on=today - timedelta(days=age + 10 * (stage - 1)),
                raised_by=users["qa1"],
                stage=stage,
                stage_started_on=today - timedelta(days=age),
            )
        )
    return concerns


def _spot_funds(rng, providers, users, today) -> list[SpotFundApplication]:
    return [
        SpotFundApplication(
            kind=FundApplicantKind.CHILD_FAMILY,
            case_id="LAN-10234",
            child_initials="JB",
            purpose="Bicycle so the young person can attend a Prince's Trust course.",
            intended_outcomes="Completes the course; reduced risk of offending.",
            amount=Decimal("320.00"),
            applied_on=today - timedelta(days=50),
            applicant=users["officer"],
            status=FundStatus.APPROVED,
            decided_by=users["manager"],
            decided_on=today - timedelta(days=45),
        ),
        SpotFundApplication(
            kind=FundApplicantKind.CHILD_FAMILY,
            case_id="LAN-10877",
            child_initials="AK",
            purpose="Carpets for a re-housed family; dust worsens the child's eczema.",
            intended_outcomes="Child's health stabilises; prevents escalation to social care.",
            amount=Decimal("1450.00"),
            applied_on=today - timedelta(days=12),
            applicant=users["officer"],
            status=FundStatus.SUBMITTED,
        ),
        SpotFundApplication(
            kind=FundApplicantKind.GROUP,
            group_description="Course for young mums-to-be",
            provider=providers[10],
            purpose="Multi-agency group sessions with the Children's Centre.",
            intended_outcomes="Improved emotional and physical health; engagement after birth.",
            amount=Decimal("4200.00"),
            applied_on=today - timedelta(days=200),
            applicant=users["officer"],
            status=FundStatus.COMPLETED,
            decided_by=users["manager"],
            decided_on=today - timedelta(days=190),
            outcomes_achieved="Nine of eleven attended throughout; all registered with the "
            "Children's Centre.",
            completed_on=today - timedelta(days=30),
        ),
    ]
