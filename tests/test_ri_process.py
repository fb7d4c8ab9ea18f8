"""The Requires Improvement / Inadequate process (manual 003), as services."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from registers.dates import add_working_days
from registers.importing.specs.ofsted import OfstedSpec
from registers.models import ApprovalStatus, Judgement, Provider, Setting, Visit, VisitStatus
from registers.selectors.settings import setting_is_in_use
from registers.services.contracts import contract_save
from registers.services.imports import import_file
from registers.services.monitoring import monitoring_refresh
from registers.services.providers import provider_change_approval
from tests.factories import (
    ContractFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    home_authority,
    today,
)
from tests.ofsted_files import latest_layout_xlsx, latest_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def managers_get_email(manager):
    return manager


@pytest.fixture
def monitor(manager, django_capture_on_commit_callbacks):
    """The enhanced-monitoring check over the register, with its emails sent as at commit."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return monitoring_refresh(user=manager)

    return run


def rated(judgement, *, approved=True, published=None, inspected=None):
    provider = ProviderFactory(
        approval_status=ApprovalStatus.APPROVED if approved else ApprovalStatus.APPLICANT
    )
    setting = SettingFactory(provider=provider)
    inspected = inspected or today() - timedelta(days=30)
    inspection = InspectionFactory(
        setting=setting,
        overall=judgement,
        inspection_date=inspected,
        publication_date=published,
    )
    return setting, inspection


class TestInUse:
    def test_setting_of_an_approved_provider_is_in_use(self):
        for status, expected in [
            (ApprovalStatus.APPROVED, True),
            (ApprovalStatus.APPROVED_WITH_CONDITIONS, True),
            (ApprovalStatus.APPLICANT, False),
            (ApprovalStatus.SUSPENDED, False),
            (ApprovalStatus.REMOVED, False),
        ]:
            setting = SettingFactory(provider=ProviderFactory(approval_status=status))
            assert setting_is_in_use(setting=setting) is expected, status

    def test_setting_named_on_a_live_contract_is_in_use(self):
        setting = SettingFactory(provider=ProviderFactory(approval_status="applicant"))
        ContractFactory(provider=setting.provider, setting=setting)
        assert setting_is_in_use(setting=setting)

    @pytest.mark.parametrize(
        "contract",
        [
            {"start_date": date(2020, 1, 1), "end_date": date(2021, 1, 1)},
            {"start_date": date(2099, 1, 1), "end_date": date(2100, 1, 1)},
            {
                "terminated_on": date(2020, 6, 1),
                "termination_reason": "Closed",
                "start_date": date(2020, 1, 1),
            },
            {"procurement_route": "spot_purchase"},  # not authorised: not live
        ],
        ids=["expired", "not started", "terminated", "unauthorised spot"],
    )
    def test_a_contract_that_is_not_live_does_not_count(self, contract):
        setting = SettingFactory(provider=ProviderFactory(approval_status="applicant"))
        ContractFactory(provider=setting.provider, setting=setting, **contract)
        assert not setting_is_in_use(setting=setting)


class TestWorkingDays:
    def test_weekends_are_skipped(self):
        assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)  # Fri -> Mon

    def test_bank_holidays_in_england_are_skipped(self):
        # Christmas Day, Boxing Day and New Year's Day 2025/26.
        assert add_working_days(date(2025, 12, 19), 10) == date(2026, 1, 7)
        assert add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 22)  # Easter

    def test_scotland_only_holidays_are_working_days(self):
        assert add_working_days(date(2025, 11, 28), 1) == date(2025, 12, 1)  # St Andrew's

    def test_risk_visit_is_due_from_publication_or_else_inspection(self, monitor, manager):
        published, inspection = rated(
            Judgement.INADEQUATE, published=date(2025, 12, 19), inspected=date(2025, 12, 1)
        )
        monitor()
        visit = Visit.objects.get(setting=published)
        assert visit.planned_date == date(2026, 1, 7)  # 10 working days

        unpublished, _ = rated(
            Judgement.REQUIRES_IMPROVEMENT, published=None, inspected=date(2025, 3, 3)
        )
        monitor()
        assert Visit.objects.get(setting=unpublished).planned_date == add_working_days(
            date(2025, 3, 3), 30
        )

    def test_working_days_are_configurable(self, monitor, manager, settings):
        settings.RISK_VISIT_WORKING_DAYS = {"inadequate": 2, "requires_improvement": 5}
        setting, _ = rated(Judgement.INADEQUATE, published=date(2025, 3, 3))
        monitor()
        assert Visit.objects.get().planned_date == date(2025, 3, 5)


class TestProcess:
    def test_requires_improvement_in_use_flags_plans_a_visit_and_emails(self, monitor, manager):
        setting, inspection = rated(Judgement.REQUIRES_IMPROVEMENT)
        outcome = monitor()
        setting.refresh_from_db()
        assert setting.enhanced_monitoring
        assert setting.enhanced_monitoring_inspection == inspection
        assert setting.enhanced_monitoring_since == today()
        visit = Visit.objects.get(setting=setting)
        assert (visit.reason, visit.status, visit.kind) == ("risk", "planned", "unannounced")
        assert visit.triggered_by_inspection == inspection
        assert not setting.provider.approval_review_required
        assert len(mail.outbox) == 1 and outcome.digest_recipients == 1
        assert manager.email in mail.outbox[0].to
        assert setting.urn in mail.outbox[0].body

    def test_inadequate_also_opens_an_approval_review(self, monitor, manager):
        setting, _ = rated(Judgement.INADEQUATE)
        monitor()
        provider = Provider.objects.get(pk=setting.provider_id)
        assert provider.approval_review_required
        assert "judged Inadequate" in provider.approval_review_reason

    def test_settings_not_in_use_are_left_alone(self, monitor, manager):
        setting, _ = rated(Judgement.INADEQUATE, approved=False)
        outcome = monitor()
        assert not outcome.changed and not Visit.objects.exists() and not mail.outbox

    def test_running_twice_adds_nothing(self, monitor, manager):
        setting, _ = rated(Judgement.INADEQUATE)
        monitor()
        history = (Setting.history.count(), Visit.history.count(), Provider.history.count())
        again = monitor()
        assert not again.changed
        assert Visit.objects.count() == 1 and len(mail.outbox) == 1
        assert (Setting.history.count(), Visit.history.count(), Provider.history.count()) == history

    def test_an_open_risk_visit_means_none_is_added(self, monitor, manager):
        setting, _ = rated(Judgement.REQUIRES_IMPROVEMENT)
        Visit.objects.create(
            authority=home_authority(), setting=setting, planned_date=today(), reason="risk"
        )
        monitor()
        assert Visit.objects.count() == 1

    def test_a_completed_risk_visit_for_the_same_inspection_is_not_repeated(self, monitor, manager):
        setting, _ = rated(Judgement.REQUIRES_IMPROVEMENT)
        monitor()
        Visit.objects.update(
            status=VisitStatus.COMPLETED, actual_date=today(), rag="amber", findings="Seen"
        )
        monitor()
        assert Visit.objects.count() == 1

    def test_a_later_good_inspection_lifts_enhanced_monitoring_and_history_shows_both(
        self, monitor
    ):
        setting, _ = rated(Judgement.INADEQUATE, inspected=today() - timedelta(days=200))
        monitor()
        InspectionFactory(
            setting=setting,
            overall=Judgement.GOOD,
            inspection_date=today() - timedelta(days=5),
            publication_date=None,
        )
        outcome = monitor()
        setting.refresh_from_db()
        assert not setting.enhanced_monitoring and outcome.lifted
        reasons = list(setting.history.values_list("history_change_reason", flat=True))
        assert any(r.startswith("Enhanced monitoring lifted") for r in reasons)
        assert any(
            r.startswith("Enhanced monitoring: Ofsted judged it Inadequate") for r in reasons
        )

    def test_approving_a_provider_starts_the_process_for_its_settings(self, manager):
        setting, _ = rated(Judgement.REQUIRES_IMPROVEMENT, approved=False)
        provider_change_approval(provider=setting.provider, status="approved", user=manager)
        setting.refresh_from_db()
        assert setting.enhanced_monitoring and Visit.objects.filter(setting=setting).exists()

    def test_a_new_live_contract_starts_the_process(self, manager):
        setting, _ = rated(Judgement.INADEQUATE, approved=False)
        contract = ContractFactory.build(provider=setting.provider, setting=setting)
        # The provider is not approved: contracting with it takes a reason.
        contract_save(contract=contract, user=manager, reason="Emergency placement")
        assert Setting.objects.get(pk=setting.pk).enhanced_monitoring

    def test_recipients_are_configurable(self, monitor, manager, settings):
        settings.RI_NOTIFICATION_RECIPIENTS = ["commissioning@council.example.gov.uk"]
        setting, _ = rated(Judgement.INADEQUATE)
        monitor()
        assert mail.outbox[0].to == ["commissioning@council.example.gov.uk"]

    def test_an_inspection_entered_by_hand_runs_the_same_process(self, manager, client_for):
        setting = SettingFactory(provider=ProviderFactory(approval_status="approved"))
        response = client_for(manager).post(
            reverse("admin:registers_inspection_add"),
            {
                "setting": str(setting.pk),
                "inspection_type": "full",
                "event_number": "55",
                "inspection_date": (today() - timedelta(days=3)).strftime("%d/%m/%Y"),
                "overall": "inadequate",
            },
        )
        assert response.status_code == 302
        assert Setting.objects.get(pk=setting.pk).enhanced_monitoring
        assert Visit.objects.filter(setting=setting, reason="risk").count() == 1


def test_whole_process_through_an_ofsted_import(manager, django_capture_on_commit_callbacks):
    """Settings of an approved provider judged Inadequate and Requires improvement get
    exactly one risk visit each, due on time, and one email; re-importing adds nothing."""
    ProviderFactory(name="Acme Care Ltd", approval_status=ApprovalStatus.APPROVED)
    published = datetime(2026, 10, 1)
    rows = [
        latest_row("SC700001", "Acme Care Ltd", "Inadequate", event="1", published=published),
        latest_row(
            "SC700002",
            "Acme Care Ltd",
            "Requires improvement to be good",
            event="2",
            published=published,
        ),
        latest_row("SC700003", "Acme Care Ltd", "Good", event="3", published=published),
        latest_row("SC700004", "Unknown Owner Ltd", "Inadequate", event="4", published=published),
    ]
    data = latest_layout_xlsx(rows)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_file(spec=OfstedSpec(), data=data, file_name="ofsted.xlsx", user=manager)
    assert result.ok
    visits = {v.setting.urn: v.planned_date for v in Visit.objects.select_related("setting")}
    assert visits == {
        "SC700001": add_working_days(date(2026, 10, 1), 10),
        "SC700002": add_working_days(date(2026, 10, 1), 30),
    }
    flagged = set(Setting.objects.filter(enhanced_monitoring=True).values_list("urn", flat=True))
    assert flagged == {"SC700001", "SC700002"}
    assert Provider.objects.get(name="Acme Care Ltd").approval_review_required
    assert len(mail.outbox) == 1
    assert "SC700001" in mail.outbox[0].body and "SC700002" in mail.outbox[0].body
    assert "2 settings" in mail.outbox[0].subject

    again = import_file(spec=OfstedSpec(), data=data, file_name="ofsted.xlsx", user=manager)
    assert again.ok and not again.follow_up
    assert Visit.objects.count() == 2 and len(mail.outbox) == 1
    out = StringIO()
    call_command("run_daily_jobs", stdout=out)
    call_command("run_daily_jobs", stdout=out)
    assert Visit.objects.count() == 2 and len(mail.outbox) == 1
