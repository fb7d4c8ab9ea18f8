"""Every role's pages cost a fixed number of queries, whatever the volume.

For every role and every register, the changelist and a record's change view
run at most MAX_QUERIES queries, and the same number with a few rows as with
many (more rows in every table, more child rows on the record shown). A query
per row, or a permission check per row, shows up here as a difference.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registers.dates import add_months
from registers.models import ActionItem, ImportRun
from tests.factories import (
    ActionItemFactory,
    AuthorityFactory,
    ComplianceDocumentFactory,
    ComplianceDocumentKindFactory,
    ConcernFactory,
    ContractFactory,
    ContractReviewFactory,
    EnforcementFactory,
    FrameworkFactory,
    InspectionFactory,
    LetterTemplateFactory,
    LotFactory,
    PlacementCheckFactory,
    ProviderFactory,
    RegulationReportFactory,
    SettingFactory,
    SpotFundFactory,
    VisitFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_activity_write_mid_measure(monkeypatch):
    """The session's activity is written once a minute (3 queries): on a slow
    machine a minute passes mid-measure and one page pays it, by the clock, not
    by the rows. The first request of a session still writes it (in warm-up)."""
    monkeypatch.setattr("portal.middleware.session_timeouts.TOUCH_EVERY", 24 * 60 * 60)


MAX_QUERIES = 15
ROLES = ["manager", "support", "qa1", "officer", "auditor"]
MODELS = [
    "provider",
    "setting",
    "inspection",
    "framework",
    "lot",
    "contract",
    "visit",
    "actionitem",
    "concern",
    "spotfundapplication",
    "compliancedocumentkind",
    "compliancedocument",
    "regulationreport",
    "placementcheck",
    "enforcement",
    "lettertemplate",
]


class Records:
    """One record of each register, the one whose change view is measured,
    and ``grow`` to add rows everywhere, children of those records included."""

    def __init__(self, user):
        self.user = user
        self.provider = ProviderFactory()
        self.setting = SettingFactory(provider=self.provider)
        self.inspection = InspectionFactory(setting=self.setting)
        self.framework = FrameworkFactory()
        self.lot = LotFactory(framework=self.framework)
        # The user's own contract and visit: the ones they may change.
        self.contract = ContractFactory(provider=self.provider, contract_manager=user)
        self.visit = VisitFactory(setting=self.setting, lead_officer=user)
        self.actionitem = ActionItemFactory(visit=self.visit)
        self.concern = ConcernFactory(provider=self.provider)
        self.spotfundapplication = SpotFundFactory(provider=self.provider)
        # A required kind, so the provider page works out what its settings miss.
        self.compliancedocumentkind = ComplianceDocumentKindFactory(name="Gas safety certificate")
        self.compliancedocumentkind.required_for_settings_in_use = True
        self.compliancedocumentkind.save()
        self.compliancedocument = ComplianceDocumentFactory(provider=self.provider)
        self.regulationreport = RegulationReportFactory(setting=self.setting)
        self.placementcheck = PlacementCheckFactory(
            setting=SettingFactory(urn=None, provider=self.provider)
        )
        self.enforcement = EnforcementFactory(setting=self.setting)
        self.lettertemplate = LetterTemplateFactory()
        # The concern's stages, each with who escalated it.
        for stage in (2, 3):
            self.concern.escalations.create(
                stage=stage, started_on=today(), escalated_by=user, informed_provider=True
            )
        self.grown = 0

    def grow(self, count: int) -> None:
        for n in range(count):
            self.grown += 1
            provider = ProviderFactory()
            setting = SettingFactory(provider=provider)
            InspectionFactory(setting=setting, overall="inadequate")
            SettingFactory(provider=self.provider)
            InspectionFactory(setting=self.setting, overall=["good", "outstanding"][n % 2])
            LotFactory(framework=self.framework).providers.add(provider)
            self.lot.providers.add(provider)
            mine = self.user if n % 2 else None
            contract = ContractFactory(provider=provider, contract_manager=mine)
            ContractReviewFactory(contract=contract)
            ContractReviewFactory(
                contract=self.contract, year=2000 + self.grown // 4, quarter=self.grown % 4 + 1
            )
            ContractFactory(provider=self.provider)
            visit = VisitFactory(setting=setting, lead_officer=mine)
            ActionItemFactory(visit=visit)
            ActionItemFactory(visit=self.visit)
            VisitFactory(setting=self.setting)
            ConcernFactory(provider=provider)
            SpotFundFactory(provider=provider)
            ComplianceDocumentFactory(provider=provider)
            ComplianceDocumentFactory(
                kind=self.compliancedocumentkind,
                provider=None,
                setting=setting,
                expiry_date=today() - timedelta(days=n),
            )
            ComplianceDocumentFactory(provider=self.provider)
            RegulationReportFactory(setting=setting)
            EnforcementFactory(setting=setting)
            EnforcementFactory(
                setting=self.setting,
                imposed_on=date(2000, 1, 1) + timedelta(days=self.grown),
                lifted_on=date(2001, 1, 1),
            )
            RegulationReportFactory(
                setting=self.setting, period_start=add_months(date(2000, 1, 1), self.grown)
            )
            PlacementCheckFactory(
                setting=setting,
                placement_type="crisis",
                start_date=today() - timedelta(days=30),
                end_date=today() + timedelta(days=n),
            )
            ComplianceDocumentFactory(provider=None, setting=self.placementcheck.setting)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def pages(records: Records) -> dict[str, str]:
    urls = {}
    for model_name in MODELS:
        urls[f"{model_name} list"] = reverse(f"admin:registers_{model_name}_changelist")
        obj = getattr(records, model_name)
        urls[f"{model_name} page"] = reverse(f"admin:registers_{model_name}_change", args=[obj.pk])
    urls["my reminders"] = reverse("admin:my_reminders")  # every user's page (issue 15)
    return urls


def measure(client, urls: dict[str, str]) -> dict[str, int]:
    return {name: count_queries(client, url) for name, url in urls.items()}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_costs_the_same_few_queries_at_any_volume(role, request, client_for):
    user = request.getfixturevalue(role)
    client = client_for(user)
    records = Records(user)
    records.grow(3)
    urls = pages(records)
    measure(client, urls)  # warm caches (content types, sessions) as a second visit would
    few = measure(client, urls)
    records.grow(30)
    many = measure(client, urls)
    grew = {name: (few[name], many[name]) for name in urls if few[name] != many[name]}
    assert not grew, f"{role}: query counts grew with rows (few, many): {grew}"
    over = {name: n for name, n in many.items() if n > MAX_QUERIES}
    assert not over, f"{role}: pages over {MAX_QUERIES} queries: {over}"


@pytest.mark.parametrize("role", ROLES)
def test_a_user_in_two_of_three_authorities_pays_the_same_few_queries(role, request, client_for):
    """Several authorities on one install: the lists and pages of a user in two
    of them (with a third's records present) stay flat and within the limit."""
    user = request.getfixturevalue(role)
    ours = home_authority()
    second = AuthorityFactory(name="Second Council", members=[user])
    third = AuthorityFactory(name="Third Council")
    ours.members.add(user)
    client = client_for(user)
    records = Records(user)
    records.grow(3)
    urls = pages(records)
    measure(client, urls)
    few = measure(client, urls)
    records.grow(30)
    # Their records spread over the three authorities.
    for n, model in enumerate(
        (
            records.contract.__class__,
            records.visit.__class__,
            records.concern.__class__,
            records.spotfundapplication.__class__,
            records.placementcheck.__class__,
        )
    ):
        model.objects.filter(pk__gt=records.grown // 2).exclude(
            pk__in=[
                records.contract.pk,
                records.visit.pk,
                records.concern.pk,
                records.spotfundapplication.pk,
                records.placementcheck.pk,
            ]
        ).update(authority=[second, third][n % 2])
    many = measure(client, urls)
    grew = {name: (few[name], many[name]) for name in urls if few[name] != many[name]}
    assert not grew, f"{role}: query counts grew with rows (few, many): {grew}"
    over = {name: n for name, n in many.items() if n > MAX_QUERIES}
    assert not over, f"{role}: pages over {MAX_QUERIES} queries: {over}"
    print(f"\n{role} in two authorities:", many)


def test_a_qa_officers_action_list_checks_permissions_once_for_the_page(qa1, client_for):
    """Editable status for the rows of their own visits only, at one query for the page."""
    records = Records(qa1)
    records.grow(5)
    client = client_for(qa1)
    url = reverse("admin:registers_actionitem_changelist")
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    forms = response.context["cl"].formset.forms
    editable = {form.instance.pk for form in forms if not form.fields["status"].disabled}
    shown = {form.instance.pk for form in forms}
    own = set(ActionItem.objects.filter(visit__lead_officer=qa1).values_list("pk", flat=True))
    assert editable == own & shown
    assert shown - own, "the page shows others' actions too, read-only"
    guardian_reads = [q for q in context.captured_queries if "objectpermission" in q["sql"]]
    assert len(guardian_reads) <= 3


def make_import_runs(count: int, user) -> None:
    for _ in range(count):
        ImportRun.objects.create(
            file_name="f.csv",
            kind="Ofsted provider-level file",
            user=user,
            report=[{"section": "declined", "urn": "SC1", "setting": "A", "detail": ""}],
        )


@pytest.mark.parametrize("role", ["manager", "auditor"])
def test_import_runs_list_in_the_same_few_queries_for_each_role_that_sees_them(
    role, request, client_for
):
    user = request.getfixturevalue(role)
    client = client_for(user)
    url = reverse("admin:registers_importrun_changelist")
    make_import_runs(5, user)
    client.get(url)
    few = count_queries(client, url)
    make_import_runs(45, user)
    assert count_queries(client, url) == few <= MAX_QUERIES


HOME_ROLES = ["manager", "support", "qa1", "officer", "auditor"]


@pytest.mark.parametrize("role", HOME_ROLES)
def test_each_roles_home_page_costs_the_same_few_queries_at_any_volume(role, request, client_for):
    """The home page's figures and charts are aggregates: a few queries per role,
    however many records (a user in two of three authorities)."""
    user = request.getfixturevalue(role)
    home_authority().members.add(user)
    AuthorityFactory(name="Second Council", members=[user])
    AuthorityFactory(name="Third Council")
    client = client_for(user)
    records = Records(user)
    records.grow(3)
    url = reverse("admin:index")
    client.get(url)
    few = count_queries(client, url)
    records.grow(30)
    many = count_queries(client, url)
    print(f"\n{role} home: {few} then {many} queries")
    assert few == many <= MAX_QUERIES
