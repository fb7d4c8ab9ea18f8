"""Factories: each test builds exactly the records it needs."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from registers.dates import add_months
from registers.models import (
    ActionItem,
    AgeBand,
    ApprovalStatus,
    Authority,
    ComplianceDocument,
    ComplianceDocumentKind,
    Concern,
    ConcernCategory,
    Contract,
    ContractReview,
    Enforcement,
    EnforcementKind,
    Framework,
    FrameworkKind,
    Inspection,
    InspectionType,
    Judgement,
    KpiOutcome,
    LetterKind,
    LetterTemplate,
    Lot,
    PlacementCheck,
    PlacementDecision,
    ProcurementRoute,
    Provider,
    Rag,
    Referral,
    ReferralSchedule,
    RegulationReport,
    RegulationReportKind,
    ServiceType,
    Setting,
    SpotFundApplication,
    Visit,
    VisitReport,
    VisitStatus,
)
from registers.services.access import move_change_permission
from registers.services.inspections import setting_ratings_refresh
from registers.validators import normalise_provider_name


def today() -> date:
    return timezone.localdate()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example.gov.uk")
    is_staff = True
    password = factory.django.Password("pass")


def home_authority() -> Authority:
    """The install's first authority (the migration makes one; a flushed
    database gets it back here): a single-council install, as before."""
    authority = Authority.objects.order_by("pk").first()
    return authority or Authority.objects.create(name="Our council", code="E08000014")


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Council {n}")
    code = factory.Sequence(lambda n: f"E0{n + 9000000:07d}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n} Care Ltd")
    normalised_name = factory.LazyAttribute(lambda p: normalise_provider_name(p.name))
    company_number = factory.Sequence(lambda n: f"{n + 1:08d}")
    sector = "private"
    is_sme = True
    is_vcse = False
    approval_status = ApprovalStatus.APPROVED


class SettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Setting

    urn = factory.Sequence(lambda n: f"SC{n + 100000:06d}")
    name = factory.Sequence(lambda n: f"Home {n}")
    provider = factory.SubFactory(ProviderFactory)
    provision_type = "Children's home"
    local_authority = "Sefton"


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    setting = factory.SubFactory(SettingFactory)
    event_number = factory.Sequence(lambda n: f"{10_000_000 + n}")
    inspection_type = InspectionType.FULL
    inspection_date = factory.LazyFunction(lambda: today() - timedelta(days=60))
    publication_date = factory.LazyAttribute(lambda i: i.inspection_date + timedelta(days=20))
    overall = Judgement.GOOD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        inspection = super()._create(model_class, *args, **kwargs)
        # The rating columns follow the inspections, as the inspection services keep them.
        setting_ratings_refresh(setting_ids=[inspection.setting_id])
        return inspection


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    name = factory.Sequence(lambda n: f"Framework {n}")
    reference = factory.Sequence(lambda n: f"FW-{n}")
    kind = FrameworkKind.FRAMEWORK
    start_date = factory.LazyFunction(lambda: today() - timedelta(days=365))
    end_date = factory.LazyFunction(lambda: today() + timedelta(days=365))


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Lot {n}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    authority = factory.LazyFunction(home_authority)

    reference = factory.Sequence(lambda n: f"C-{n:04d}")
    title = factory.Sequence(lambda n: f"Residential care contract {n}")
    description = "Residential care for looked-after children."
    provider = factory.SubFactory(ProviderFactory)
    department = "Children's Services"
    procurement_route = ProcurementRoute.OPEN_TENDER
    tender_type = "published_tender"
    start_date = factory.LazyFunction(lambda: today() - timedelta(days=200))
    end_date = factory.LazyFunction(lambda: today() + timedelta(days=900))
    review_date = factory.LazyFunction(lambda: today() + timedelta(days=100))
    annual_value = Decimal("50000.00")
    total_value = Decimal("150000.00")
    vat_not_recoverable = Decimal("0.00")

    @factory.post_generation
    def manager_permission(obj, create, extracted, **kwargs):
        # As the contracts service does: the manager may change their contract.
        if create and obj.contract_manager_id:
            move_change_permission(model=Contract, moves=[(obj, None, obj.contract_manager_id)])


class ContractReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractReview

    contract = factory.SubFactory(ContractFactory)
    year = 2026
    quarter = 1
    rag = Rag.GREEN
    kpis = KpiOutcome.MET
    reviewed_on = factory.LazyFunction(today)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit
        skip_postgeneration_save = True

    authority = factory.LazyFunction(home_authority)

    setting = factory.SubFactory(SettingFactory)
    planned_date = factory.LazyFunction(lambda: today() + timedelta(days=7))
    status = VisitStatus.PLANNED

    @factory.post_generation
    def lead_permission(obj, create, extracted, **kwargs):
        # As the visits service does: the lead officer may change their visit.
        if create and obj.lead_officer_id:
            move_change_permission(model=Visit, moves=[(obj, None, obj.lead_officer_id)])


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    visit = factory.SubFactory(VisitFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = "Registered manager"
    due_date = factory.LazyFunction(lambda: today() + timedelta(days=30))


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    authority = factory.LazyFunction(home_authority)

    setting = factory.SubFactory(SettingFactory)
    provider = factory.LazyAttribute(lambda c: c.setting.provider)
    raised_on = factory.LazyFunction(today)
    stage_started_on = factory.LazyAttribute(lambda c: c.raised_on)
    category = ConcernCategory.QUALITY
    description = "Concern about staffing levels."


class SpotFundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpotFundApplication

    authority = factory.LazyFunction(home_authority)

    kind = "child_family"
    case_id = factory.Sequence(lambda n: f"CASE-{n:04d}")
    child_initials = "AB"
    purpose = "Equipment"
    intended_outcomes = "Attendance improves"
    amount = Decimal("500.00")
    applied_on = factory.LazyFunction(today)


class ComplianceDocumentKindFactory(factory.django.DjangoModelFactory):
    """The kinds are seeded by a migration; a flushed database makes them again here."""

    class Meta:
        model = ComplianceDocumentKind
        django_get_or_create = ("name",)

    name = "Public liability insurance"
    default_validity_months = 12


class ComplianceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceDocument

    kind = factory.SubFactory(ComplianceDocumentKindFactory)
    provider = factory.SubFactory(ProviderFactory)
    setting = None
    reference = factory.Sequence(lambda n: f"POL-{n:05d}")
    issue_date = factory.LazyFunction(lambda: today() - timedelta(days=100))
    expiry_date = factory.LazyAttribute(lambda d: d.issue_date + timedelta(days=365))


class RegulationReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegulationReport

    setting = factory.SubFactory(SettingFactory)
    kind = RegulationReportKind.REG44
    period_start = factory.LazyFunction(lambda: add_months(today().replace(day=1), -1))
    period_end = factory.LazyAttribute(
        lambda r: add_months(r.period_start, 1 if r.kind == "reg44" else 6) - timedelta(days=1)
    )
    received_on = factory.LazyFunction(today)
    author = "A. Visitor"


class PlacementCheckFactory(factory.django.DjangoModelFactory):
    """Support in a static placement, in supported accommodation with no URN."""

    class Meta:
        model = PlacementCheck

    authority = factory.LazyFunction(home_authority)
    case_id = factory.Sequence(lambda n: f"ICS-{n + 1000:05d}")
    child_initials = "JB"
    setting = factory.SubFactory(SettingFactory, urn=None, provision_type="Supported accommodation")
    placement_type = "ongoing"
    start_date = factory.LazyFunction(today)
    care_or_support = "support"
    static_or_mobile = "static"
    decision = PlacementDecision.UNREGULATED


class CompletedVisitFactory(VisitFactory):
    """A visit done, its outcome recorded: ready for its report."""

    setting = factory.SubFactory(
        SettingFactory,
        provider=factory.SubFactory(ProviderFactory, contact_email="manager@provider.example"),
    )
    planned_date = factory.LazyFunction(lambda: today() - timedelta(days=7))
    status = VisitStatus.COMPLETED
    actual_date = factory.LazyFunction(lambda: today() - timedelta(days=5))
    rag = Rag.AMBER
    findings = "Night staffing was below the rota on two nights."
    recommendations = "Review the night rota with the registered manager."


class VisitReportFactory(factory.django.DjangoModelFactory):
    """A report as issued (visit_report_issue makes real ones, with their PDF)."""

    class Meta:
        model = VisitReport

    visit = factory.SubFactory(
        CompletedVisitFactory,
        status=VisitStatus.REPORT_ISSUED,
        report_issued_on=factory.LazyFunction(today),
    )
    version = 1
    file = factory.django.FileField(filename="report.pdf", data=b"%PDF-1.7 test")
    issued_at = factory.LazyFunction(timezone.now)
    sent_to = "manager@provider.example"
    response_due = factory.LazyFunction(lambda: today() + timedelta(days=14))


class ReferralFactory(factory.django.DjangoModelFactory):
    """A draft brokerage referral (seed 004); its allocated worker may change it."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    authority = factory.LazyFunction(home_authority)
    case_id = factory.Sequence(lambda n: f"MOS{n:05d}")
    child_initials = "JB"
    age_band = AgeBand.FIVE_TO_ELEVEN
    service_type = ServiceType.SHORT_BREAKS
    lot = factory.SubFactory(LotFactory)
    needs = "Support to join play and leisure activities after school; Mum will drop off."
    start_date = factory.LazyFunction(lambda: today() + timedelta(days=21))
    end_date = factory.LazyFunction(lambda: today() + timedelta(days=386))
    area = "LE4"
    travel_limits = "Within 20 minutes' drive of home."
    additional_notes = "None"
    allocated_worker = factory.SubFactory(UserFactory)

    @factory.post_generation
    def worker_permission(obj, create, extracted, **kwargs):
        if create and obj.allocated_worker_id:
            move_change_permission(model=Referral, moves=[(obj, None, obj.allocated_worker_id)])

    @factory.post_generation
    def hours(obj, create, extracted, **kwargs):
        # Two afternoons a week unless told otherwise (hours=[] for none).
        if not create:
            return
        for day, hours in extracted if extracted is not None else [(1, "3"), (3, "3")]:
            ReferralSchedule.objects.create(
                referral=obj, day=day, times="15:30 to 18:30", hours=Decimal(hours)
            )


class EnforcementFactory(factory.django.DjangoModelFactory):
    """A recorded enforcement, written directly (pages and counts): rules go through
    services/enforcements.py in the service tests."""

    class Meta:
        model = Enforcement

    setting = factory.SubFactory(SettingFactory)
    kind = EnforcementKind.COMPLIANCE_NOTICE
    imposed_on = factory.LazyFunction(lambda: today() - timedelta(days=7))
    note = "Night staffing below the statement of purpose."


class LetterTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LetterTemplate
        # One per council and letter: a second call gives back the first.
        django_get_or_create = ("authority", "kind")

    authority = factory.LazyFunction(home_authority)
    kind = LetterKind.CONCERN_STAGE_3
    title = "Formal notice: {setting}"
    body = "Dear {provider},\n\nWe are concerned: {concern}\n\n{officer}"
