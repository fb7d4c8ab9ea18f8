"""The demo council's work, built in memory for registers.services.demo to write:
contracts with their reviews and variations, QA visits and action plans,
concerns and spot fund applications.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

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
    FrameworkKind,
    FundApplicantKind,
    KpiOutcome,
    ProcurementRoute,
    Rag,
    Setting,
    SpotFundApplication,
    TenderType,
    VariationKind,
    Visit,
    VisitKind,
    VisitReason,
    VisitStatus,
)
from registers.services.demo_records import weighted

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


def build_contracts(rng, providers, settings_, admissions, users, today) -> list[Contract]:
    """``admissions``: (lot, admitted providers) pairs."""
    lots = [lot for lot, _ in admissions]
    admitted = {lot.pk: members for lot, members in admissions}
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
        route = weighted(rng, ROUTES)
        lot = None
        provider = rng.choice(approved)
        if route in kind_for_route:
            lot = rng.choice([lot for lot in lots if lot.framework.kind == kind_for_route[route]])
            provider = rng.choice(admitted[lot.pk])
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


def build_contract_follow_up(rng, contracts, users, today):
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
                    rag=weighted(rng, [(Rag.GREEN, 6), (Rag.AMBER, 3), (Rag.RED, 1)]),
                    kpis=weighted(
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


def build_visits(rng, names, settings_, users, today):
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
            rag=weighted(rng, [(Rag.GREEN, 5), (Rag.AMBER, 3), (Rag.RED, 1)]),
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


@dataclass
class ConcernSpec:
    setting: Setting
    category: str
    description: str
    stage: int
    stage_age_days: int  # how long ago the current stage started


def build_concerns(rng, settings_, today) -> list[ConcernSpec]:
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
    return [
        ConcernSpec(settings_[number * 7 + 2], category, description, stage, age)
        for number, (category, description, stage, age) in enumerate(samples)
    ]


@dataclass
class FundSpec:
    application: SpotFundApplication
    decided_on: date | None = None  # approved that day
    outcomes: str = ""
    completed_on: date | None = None


def build_spot_funds(rng, providers, users, today) -> list[FundSpec]:
    return [
        FundSpec(
            SpotFundApplication(
                kind=FundApplicantKind.CHILD_FAMILY,
                case_id="LAN-10234",
                child_initials="JB",
                purpose="Bicycle so the young person can attend a Prince's Trust course.",
                intended_outcomes="Completes the course; reduced risk of offending.",
                amount=Decimal("320.00"),
                applied_on=today - timedelta(days=50),
                applicant=users["officer"],
            ),
            decided_on=today - timedelta(days=45),
        ),
        FundSpec(
            SpotFundApplication(
                kind=FundApplicantKind.CHILD_FAMILY,
                case_id="LAN-10877",
                child_initials="AK",
                purpose="Carpets for a re-housed family; dust worsens the child's eczema.",
                intended_outcomes="Child's health stabilises; prevents escalation to social care.",
                amount=Decimal("1450.00"),
                applied_on=today - timedelta(days=12),
                applicant=users["officer"],
            )
        ),
        FundSpec(
            SpotFundApplication(
                kind=FundApplicantKind.GROUP,
                group_description="Course for young mums-to-be",
                provider=providers[10],
                purpose="Multi-agency group sessions with the Children's Centre.",
                intended_outcomes="Improved emotional and physical health; engagement after birth.",
                amount=Decimal("4200.00"),
                applied_on=today - timedelta(days=200),
                applicant=users["officer"],
            ),
            decided_on=today - timedelta(days=190),
            outcomes="Nine of eleven attended throughout; all registered with the "
            "Children's Centre.",
            completed_on=today - timedelta(days=30),
        ),
    ]


def new_concern(spec: ConcernSpec, *, raised_on: date) -> Concern:
    return Concern(
        provider=spec.setting.provider,
        setting=spec.setting,
        category=spec.category,
        description=spec.description,
        raised_on=raised_on,
    )
