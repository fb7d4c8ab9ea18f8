"""A believable council's registers for demonstration and manual testing.

Every record goes through the same services as the portal's own pages and
imports, so the demo data meets every rule, carries its history, and gives
lead officers and contract managers their permissions.
"""

import json
import logging
import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from registers import roles
from registers.changes import GIVEN_REASON, Change, link_parents
from registers.models import (
    Authority,
    Contract,
    EnforcementKind,
    Inspection,
    InspectionType,
    Judgement,
    Provider,
    Setting,
    VisitStatus,
)
from registers.models.concerns import stage_limit
from registers.permissions import Actor
from registers.selectors.settings import settings_in_use
from registers.services import demo_activity, demo_records, demo_referrals
from registers.services.action_items import action_items_check, action_items_write
from registers.services.concerns import concern_escalate, concern_save
from registers.services.contract_records import contract_children_check, contract_children_write
from registers.services.contracts import contracts_check, contracts_write
from registers.services.demo_placements import build_placement_checks
from registers.services.enforcements import enforcement_impose
from registers.services.frameworks import framework_save, lot_save
from registers.services.inspections import inspections_check, inspections_write
from registers.services.monitoring import QUEUE
from registers.services.providers import providers_check, providers_write
from registers.services.saved_views import saved_view_create, saved_view_share
from registers.services.settings import settings_check, settings_write
from registers.services.spot_funds import (
    spot_fund_decide,
    spot_fund_record_outcomes,
    spot_fund_save,
)
from registers.services.units import write_unit
from registers.services.visit_reports import visit_report_issue, visit_report_record_response
from registers.services.visits import visits_check, visits_write

logger = logging.getLogger(__name__)

NAMES_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "names.json"
REASON = "Demo data"

# Three councils of one regional flexible purchasing system; the first is the
# demo council every original login belongs to.
DEMO_AUTHORITIES = [
    ("Sefton Council", "E08000014"),
    ("Knowsley Council", "E08000011"),
    ("Wirral Council", "E08000015"),
]

DEMO_USERS = [
    # username, first, last, role, authority (index in DEMO_AUTHORITIES; None: none)
    ("manager", "Sarah", "Ahmed", roles.MANAGER, 0),
    ("support", "Jo", "Brennan", roles.BUSINESS_SUPPORT, 0),
    ("qa1", "Priya", "Shah", roles.QA_OFFICER, 0),
    ("qa2", "Tom", "Walsh", roles.QA_OFFICER, 0),
    ("officer", "Dan", "Okafor", roles.COMMISSIONING_OFFICER, 0),
    ("auditor", "Helen", "Price", roles.AUDITOR, 0),
    ("manager_b", "Ayesha", "Khan", roles.MANAGER, 1),
    ("regional", "Mark", "Dale", roles.REGIONAL_LEAD, None),
]


def ensure_demo_authorities() -> list[Authority]:
    """The three demo councils. The install's first authority (the migration's
    "Our council") becomes the first of them. Safe to repeat."""
    authorities = []
    first = Authority.objects.order_by("pk").first()
    for index, (name, code) in enumerate(DEMO_AUTHORITIES):
        authority = Authority.objects.filter(name=name).first()
        if authority is None and index == 0 and first is not None:
            authority = first
        if authority is None:
            authority = Authority(name=name)
        authority.name, authority.code = name, code
        authority.save()
        authorities.append(authority)
    return authorities


def demo_present() -> bool:
    return Provider.objects.filter(
        company_number__startswith=demo_records.DEMO_COMPANY_PREFIX
    ).exists()


def ensure_demo_users(*, password: str) -> list[tuple[str, str]]:
    """The demo logins, one per role, each in their council. Safe to repeat."""
    user_model = get_user_model()
    authorities = ensure_demo_authorities()
    logins = []
    for username, first, last, role, authority in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@council.example.gov.uk"
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        user.authorities.set([] if authority is None else [authorities[authority]])
        logins.append((username, role))
    return logins


UNAPPROVED_REASON = "Placement needed before the provider's approval completes"


def _write(objs: Sequence, *, check: Callable, write: Callable, user: Actor, contexts=None) -> list:
    """Demo data meets every rule: a refusal here is a bug in the demo."""
    changes = [
        Change(obj=obj, context=(contexts[index] if contexts else {}))
        for index, obj in enumerate(objs)
    ]
    for change in changes:
        link_parents(change.obj)
    refusals = check(changes=changes, user=user)
    if refusals:
        first = refusals[0]
        raise ValueError(f"Demo record refused: {first.change.obj}: {first.error.messages}")
    write(changes=changes, user=user, reason=REASON)
    return list(objs)


def build_demo(*, today: date | None = None) -> dict[str, int]:
    """Create the demo registers once. Returns counts of what was made."""
    today = today or timezone.localdate()
    # nosec B311: a seeded generator so the demo data is the same every run; no secret.
    rng = random.Random(2026)  # nosec B311
    names = json.loads(NAMES_FILE.read_text())
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[row[0] for row in DEMO_USERS])
    }
    actor = users["manager"]
    with write_unit(user=actor, today=today, quiet=True) as unit:
        providers = demo_records.build_providers(rng, names, today)
        _write(
            providers,
            check=providers_check,
            write=providers_write,
            user=actor,
            contexts=[{"on": p.approval_status_changed_on} for p in providers],
        )
        settings_ = demo_records.build_settings(rng, names, providers, today)
        _write(settings_, check=settings_check, write=settings_write, user=actor)
        inspections = demo_records.build_inspections(rng, settings_, today)
        _write(inspections, check=inspections_check, write=inspections_write, user=actor)
        admissions = []
        frameworks = demo_records.build_frameworks(rng, providers, today)
        for framework, lots in frameworks:
            framework_save(framework=framework, user=actor, reason=REASON)
            for lot, members in lots:
                lot_save(lot=lot, user=actor, reason=REASON, providers=members)
                admissions.append((lot, members))
        contracts = demo_activity.build_contracts(
            rng, providers, settings_, admissions, users, today
        )
        reviews, variations = demo_activity.build_contract_follow_up(rng, contracts, users, today)
        # Some demo providers are still applicants: contracting with one takes a reason.
        _write(
            contracts,
            check=contracts_check,
            write=contracts_write,
            user=actor,
            contexts=[{GIVEN_REASON: UNAPPROVED_REASON}] * len(contracts),
        )
        _write(
            [*reviews, *variations],
            check=contract_children_check,
            write=contract_children_write,
            user=actor,
        )
        visits, actions = demo_activity.build_visits(rng, names, settings_, users, today)
        _write(visits, check=visits_check, write=visits_write, user=actor)
        _write(actions, check=action_items_check, write=action_items_write, user=actor)
        reports = _issue_visit_reports(visits, users=users, today=today)
        concerns = demo_activity.build_concerns(rng, settings_, today)
        for spec in concerns:
            _raise_concern(spec, users=users, today=today)
        funds = demo_activity.build_spot_funds(rng, providers, users, today)
        for spec in funds:
            _apply_for_funds(spec, users=users)
        shared = _second_council(rng, contracts, users=users, today=today)
        placement_checks = build_placement_checks(providers=providers, users=users, today=today)
        _saved_views(users=users)
        short_breaks = next(
            lot for _, lots in frameworks for lot, _ in lots if lot.name == "Short breaks"
        )
        referrals = demo_referrals.build_referrals(lot=short_breaks, users=users, today=today)
        _serve_compliance_notice(users=users, today=today)
    outcome = unit.results.get(QUEUE)
    risk_visits = len(outcome.visits_created) if outcome else 0
    counts = {
        "providers": len(providers),
        "settings": len(settings_),
        "inspections": len(inspections),
        "frameworks": len(frameworks),
        "contracts": len(contracts),
        "visits": len(visits) + risk_visits,
        "action items": len(actions),
        "visit reports": reports,
        "concerns": len(concerns),
        "spot fund applications": len(funds),
        "second council's contracts": shared,
        "placement checks": placement_checks,
        "brokerage referrals": referrals,
    }
    logger.info("demo.built %s", counts, extra={"event": "demo.built", "facts": counts})
    return counts


def _issue_visit_reports(visits: list, *, users, today: date) -> int:
    """Two of qa1's completed visits get their report through the service: one
    answered by the provider, one whose response is now overdue."""
    completed = [
        v
        for v in visits
        if v.status == VisitStatus.COMPLETED
        and v.lead_officer == users["qa1"]
        and v.actual_date <= today - timedelta(days=40)
    ][:2]
    for number, visit in enumerate(completed):
        issued_on = visit.actual_date + timedelta(days=7)
        report = visit_report_issue(visit=visit, user=users["qa1"], today=issued_on)
        if number == 0:
            visit_report_record_response(
                report=report,
                user=users["qa1"],
                response="We accept the findings. The night rota now has two waking staff, "
                "and the fire door was repaired on the day after the visit.",
                received_on=report.response_due - timedelta(days=2),
                today=today,
            )
    return len(completed)


def _saved_views(*, users) -> None:
    """A view the manager shares with the commissioning officers, and one the officer pinned."""
    view = saved_view_create(
        user=users["manager"],
        name="Key contracts ending within a year",
        model="registers.contract",
        query="is_key_contract__exact=1&expiring=12",
        pinned=True,
    )
    officers = Group.objects.get(name=roles.COMMISSIONING_OFFICER)
    saved_view_share(user=users["manager"], view=view, group=officers)
    saved_view_create(
        user=users["officer"],
        name="My spot purchases",
        model="registers.contract",
        query="mine=yes&procurement_route__exact=spot_purchase",
        pinned=True,
    )


def _raise_concern(spec: demo_activity.ConcernSpec, *, users, today: date) -> None:
    """Raised by a QA officer, then escalated by the manager one stage at a time."""
    limit = stage_limit().days
    started = today - timedelta(days=spec.stage_age_days)
    raised_on = started - timedelta(days=limit * (spec.stage - 1))
    concern = demo_activity.new_concern(spec, raised_on=raised_on)
    concern_save(concern=concern, user=users["qa1"], reason=REASON)
    for step in range(1, spec.stage):
        # Stage 2 tells the Head of Service; stage 3 writes to the provider (its letter).
        concern_escalate(
            concern=concern,
            user=users["manager"],
            today=raised_on + timedelta(days=limit * step),
            informed_head_of_service=True,
            informed_provider=step + 1 >= 3,
            informed_iro=step + 1 >= 3,
        )


def _serve_compliance_notice(*, users, today: date) -> None:
    """Ofsted's compliance notice on a setting in use, rated Good: recorded by
    business support, it puts the setting under enhanced monitoring."""
    setting = (
        settings_in_use(today=today)
        .filter(enhanced_monitoring=False, current_rating=Judgement.GOOD)
        .order_by("pk")
        .first()
    )
    if setting is None:
        return
    enforcement_impose(
        setting=setting,
        kind=EnforcementKind.COMPLIANCE_NOTICE,
        imposed_on=today - timedelta(days=5),
        note="Ofsted compliance notice: staffing levels at night below the statement of "
        "purpose; to be met within 28 days.",
        user=users["support"],
        reason=REASON,
    )


def _apply_for_funds(spec: demo_activity.FundSpec, *, users) -> None:
    application = spec.application
    spot_fund_save(application=application, user=application.applicant, reason=REASON)
    if spec.decided_on:
        spot_fund_decide(
            application=application, user=users["manager"], approve=True, on=spec.decided_on
        )
    if spec.outcomes:
        spot_fund_record_outcomes(
            application=application,
            user=users["manager"],
            outcomes_achieved=spec.outcomes,
            completed_on=spec.completed_on,
        )


def _second_council(rng: random.Random, contracts: list[Contract], *, users, today: date) -> int:
    """The second council's own contracts, made by its manager: a copy of some
    of the first council's live ones, so that those settings are used by both,
    and an Inadequate judgement on one of them to show the process run for each."""
    manager_b = users["manager_b"]
    live = [
        c
        for c in contracts
        if c.setting_id and c.start_date <= today <= c.end_date and not c.lot_id
    ]
    theirs = []
    for index, contract in enumerate(rng.sample(live, min(6, len(live)))):
        theirs.append(
            Contract(
                reference=f"KN-{today.year}-{index + 1:03d}",
                title=contract.title,
                description=contract.description,
                provider=contract.provider,
                setting=contract.setting,
                department="Children's Services",
                service_category=contract.service_category,
                procurement_route=contract.procurement_route,
                tender_type=contract.tender_type,
                contract_manager=manager_b,
                start_date=contract.start_date,
                end_date=contract.end_date,
                review_date=contract.review_date,
                annual_value=contract.annual_value,
                total_value=contract.total_value,
                spot_justification=contract.spot_justification,
            )
        )
    _write(
        theirs,
        check=contracts_check,
        write=contracts_write,
        user=manager_b,
        contexts=[{GIVEN_REASON: UNAPPROVED_REASON}] * len(theirs),
    )
    if theirs:
        setting = Setting.objects.get(pk=theirs[0].setting_id)
        inspection = Inspection(
            setting=setting,
            event_number="10199999",
            inspection_type=InspectionType.FULL,
            inspection_date=today - timedelta(days=12),
            publication_date=today - timedelta(days=2),
            overall=Judgement.INADEQUATE,
            help_and_protection=Judgement.INADEQUATE,
            leadership_management=Judgement.INADEQUATE,
        )
        _write([inspection], check=inspections_check, write=inspections_write, user=None)
    return len(theirs)
