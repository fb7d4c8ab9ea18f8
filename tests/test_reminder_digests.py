"""Reminders users choose (issue 15): one digest a day per user, of the kinds they
chose or their role's defaults, each part linking to its filtered list."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registers import roles
from registers.models import AuthoritySetting, NotificationPreference, ReminderKind
from registers.services.daily import daily_jobs_run
from registers.services.digests import daily_digests_send
from registers.services.notification_preferences import (
    notification_preference_save,
    reminder_kinds_for,
    role_reminder_default_save,
)
from tests.factories import (
    ActionItemFactory,
    ComplianceDocumentFactory,
    ConcernFactory,
    ContractFactory,
    SettingFactory,
    VisitFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run():
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            count = daily_digests_send(today=today())
        return count

    return run


def to(user):
    return [message for message in mail.outbox if user.email in message.to]


def ending_contract(manager_user):
    return ContractFactory(
        contract_manager=manager_user,
        start_date=today() - timedelta(days=400),
        end_date=today() + timedelta(days=100),
    )


class TestPerRoleAndKind:
    def test_a_commissioning_officer_hears_of_their_contracts(self, make_user, send):
        officer = make_user(roles.COMMISSIONING_OFFICER)
        other = make_user(roles.COMMISSIONING_OFFICER)
        mine = ending_contract(officer)
        ending_contract(other)
        assert send() == 2
        (message,) = to(officer)
        assert mine.reference in message.body
        assert ReminderKind.CONTRACT_DECISIONS.label in message.body
        assert ReminderKind.CONTRACT_ENDS.label in message.body
        assert ReminderKind.CONTRACT_REVIEWS.label in message.body
        assert "/admin/registers/contract/?mine=yes&decision=due" in message.body
        assert "/admin/registers/contract/?mine=yes&review=missing" in message.body

    def test_a_qa_officer_hears_of_their_visits_and_overdue_actions(self, make_user, send):
        qa = make_user(roles.QA_OFFICER)
        visit = VisitFactory(lead_officer=qa, planned_date=today() - timedelta(days=2))
        ActionItemFactory(visit=visit, due_date=today() - timedelta(days=1))
        send()
        (message,) = to(qa)
        assert "Overdue since" in message.body and visit.setting.name in message.body
        assert ReminderKind.OVERDUE_ACTIONS.label in message.body
        assert "/admin/registers/visit/?mine=yes" in message.body
        assert "/admin/registers/actionitem/?overdue=yes" in message.body

    def test_business_support_hears_of_documents_expiring_once(
        self, make_user, django_capture_on_commit_callbacks
    ):
        support = make_user(roles.BUSINESS_SUPPORT)
        document = ComplianceDocumentFactory(expiry_date=today() + timedelta(days=10))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            daily_jobs_run(today=today())
        messages = to(support)
        # One email: the daily digest took the compliance digest's place for them.
        assert len(messages) == 1
        assert str(document) in messages[0].body
        assert "/admin/registers/compliancedocument/?expiry=30" in messages[0].body

    def test_a_manager_hears_of_ri_and_inadequate_settings_of_their_council(self, make_user, send):
        manager = make_user(roles.MANAGER)
        setting = SettingFactory(name="Hill Top House")
        AuthoritySetting.objects.create(
            authority=home_authority(), setting=setting, enhanced_monitoring=True
        )
        send()
        (message,) = to(manager)
        assert "Hill Top House" in message.body
        assert "/admin/registers/setting/?enhanced_monitoring=yes" in message.body

    def test_an_auditor_gets_no_digest_by_default(self, make_user, send):
        auditor = make_user(roles.AUDITOR)
        ComplianceDocumentFactory(expiry_date=today() + timedelta(days=10))
        send()
        assert to(auditor) == []

    def test_nothing_to_report_sends_nothing(self, make_user, send):
        make_user(roles.COMMISSIONING_OFFICER)
        assert send() == 0 and mail.outbox == []


class TestPreferences:
    def test_a_user_leaves_out_a_kind(self, make_user, send):
        officer = make_user(roles.COMMISSIONING_OFFICER)
        ending_contract(officer)
        notification_preference_save(user=officer, kinds=[ReminderKind.CONTRACT_ENDS])
        send()
        (message,) = to(officer)
        assert ReminderKind.CONTRACT_ENDS.label in message.body
        assert ReminderKind.CONTRACT_DECISIONS.label not in message.body

    def test_choosing_nothing_sends_nothing(self, make_user, send):
        officer = make_user(roles.COMMISSIONING_OFFICER)
        ending_contract(officer)
        notification_preference_save(user=officer, kinds=[])
        send()
        assert to(officer) == []

    def test_a_choice_keeps_its_history(self, make_user):
        officer = make_user(roles.COMMISSIONING_OFFICER)
        preference = notification_preference_save(user=officer, kinds=["contract_ends"])
        assert preference.history.latest().history_user == officer

    def test_an_unknown_kind_is_refused(self, make_user):
        with pytest.raises(Exception, match="Not a kind of reminder"):
            notification_preference_save(user=make_user(), kinds=["gossip"])

    def test_managers_set_a_roles_defaults_for_their_council(self, make_user, send):
        manager = make_user(roles.MANAGER)
        officer = make_user(roles.COMMISSIONING_OFFICER)
        ending_contract(officer)
        role_reminder_default_save(
            authority_id=home_authority().pk,
            role=roles.COMMISSIONING_OFFICER,
            kinds=[ReminderKind.CONTRACT_REVIEWS],
            user=manager,
        )
        assert reminder_kinds_for(user=officer) == {ReminderKind.CONTRACT_REVIEWS}
        send()
        (message,) = to(officer)
        assert ReminderKind.CONTRACT_REVIEWS.label in message.body
        assert ReminderKind.CONTRACT_ENDS.label not in message.body

    @pytest.mark.parametrize("role", [r for r in roles.ROLES if r != roles.MANAGER])
    def test_only_managers_set_defaults(self, role, make_user):
        with pytest.raises(PermissionDenied):
            role_reminder_default_save(
                authority_id=home_authority().pk,
                role=roles.QA_OFFICER,
                kinds=[],
                user=make_user(role),
            )


class TestOnceADay:
    def test_a_second_run_the_same_day_sends_nothing_new(self, make_user, send):
        officer = make_user(roles.COMMISSIONING_OFFICER)
        ending_contract(officer)
        assert send() == 1
        assert send() == 0 and mail.outbox == []

    def test_one_digest_holds_every_kind(self, make_user, send):
        manager = make_user(roles.MANAGER)
        ending_contract(manager)
        setting = SettingFactory()
        AuthoritySetting.objects.create(
            authority=home_authority(), setting=setting, enhanced_monitoring=True
        )
        send()
        assert len(to(manager)) == 1


class TestPages:
    @pytest.mark.parametrize("role", roles.ROLES)
    def test_every_user_chooses_their_reminders(self, role, make_user, client_for):
        user = make_user(role)
        client = client_for(user)
        url = reverse("admin:my_reminders")
        assert client.get(url).status_code == 200
        response = client.post(url, {"kinds": [ReminderKind.DOCUMENTS_EXPIRING]})
        assert response.status_code == 302
        assert NotificationPreference.objects.get(user=user).kinds == ["documents_expiring"]

    def test_the_page_shows_the_role_defaults_ticked(self, make_user, client_for):
        officer = make_user(roles.COMMISSIONING_OFFICER)
        page = client_for(officer).get(reverse("admin:my_reminders"))
        assert set(page.context["form"].initial["kinds"]) == {
            "contract_decisions",
            "contract_ends",
            "contract_reviews",
        }

    @pytest.mark.parametrize("role", roles.ROLES)
    def test_only_managers_open_the_role_defaults_page(self, role, make_user, client_for):
        user = make_user(role)
        response = client_for(user).get(reverse("admin:reminder_defaults"))
        assert response.status_code == (200 if role == roles.MANAGER else 403)

    def test_a_manager_saves_a_roles_defaults(self, make_user, client_for):
        manager = make_user(roles.MANAGER)
        officer = make_user(roles.QA_OFFICER)
        response = client_for(manager).post(
            reverse("admin:reminder_defaults"),
            {
                "role": roles.QA_OFFICER,
                "authority": home_authority().pk,
                "kinds": [ReminderKind.MY_VISITS],
            },
        )
        assert response.status_code == 302
        assert reminder_kinds_for(user=officer) == {ReminderKind.MY_VISITS}


def test_the_reminder_pages_stay_within_the_query_limit(make_user, client_for):
    manager = make_user(roles.MANAGER)
    client = client_for(manager)
    for name in ("admin:my_reminders", "admin:reminder_defaults"):
        client.get(reverse(name))  # warm caches, as a second visit would
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        assert len(queries.captured_queries) <= 15, name


class TestConcernStages:
    """A concern's owner hears of a stage past its limit once a day: in their digest
    when they chose that kind (QA officers do by default), else by its own email."""

    def overdue_concern(self, **kwargs):
        started = today() - timedelta(days=settings.CONCERN_STAGE_DAYS + 1)
        return ConcernFactory(raised_on=started, stage_started_on=started, **kwargs)

    def test_a_qa_officer_gets_one_email_listing_their_overdue_concern(
        self, make_user, django_capture_on_commit_callbacks
    ):
        qa = make_user(roles.QA_OFFICER)
        concern = self.overdue_concern(owner=qa)
        self.overdue_concern()  # someone else's
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            daily_jobs_run(today=today())
        (message,) = to(qa)
        assert ReminderKind.CONCERN_STAGES.label in message.body
        assert str(concern) in message.body
        assert "/admin/registers/concern/?open=overdue" in message.body

    def test_without_that_kind_the_owner_still_gets_the_concern_reminder(
        self, make_user, django_capture_on_commit_callbacks
    ):
        manager = make_user(roles.MANAGER)
        self.overdue_concern(owner=manager)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            daily_jobs_run(today=today())
        (message,) = to(manager)
        assert "past their stage limit" in message.subject
