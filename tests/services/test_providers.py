"""The approved provider list's service: saving providers, their approval and
the approval review that an Inadequate setting opens."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from registers import roles
from registers.changes import Change, Refused
from registers.models import Provider, Setting, Visit
from registers.services.monitoring import monitoring_refresh
from registers.services.providers import (
    REASON_GIVEN,
    provider_approval_allowed,
    provider_change_approval,
    provider_close_review,
    provider_review_allowed,
    provider_save,
    providers_check,
    providers_write,
)
from tests.factories import InspectionFactory, ProviderFactory, SettingFactory, today

pytestmark = pytest.mark.django_db

NOT_MANAGERS = [
    roles.BUSINESS_SUPPORT,
    roles.QA_OFFICER,
    roles.COMMISSIONING_OFFICER,
    roles.AUDITOR,
]
MANAGERS_ONLY = [(roles.MANAGER, True)] + [(role, False) for role in NOT_MANAGERS]


def stored(provider) -> Provider:
    return Provider.objects.get(pk=provider.pk)


def refused_fields(refusals) -> list[tuple]:
    return [(r.change.obj.name, field) for r in refusals for field, _ in r.messages()]


class TestProviderSave:
    def test_a_new_provider_is_written_with_who_added_it_and_why(self, support):
        provider = provider_save(
            provider=Provider(name="Acme  Care Ltd", company_number="sc 12345"),
            user=support,
            reason="Passed the tender's selection stage",
        )
        saved = stored(provider)
        assert (saved.name, saved.company_number) == ("Acme Care Ltd", "SC012345")
        entry = saved.history.get()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "+",
            support,
            "Passed the tender's selection stage",
        )

    def test_a_change_is_recorded_with_the_portal_reason_when_none_is_given(self, support):
        provider = ProviderFactory(town="")
        provider.town = "Preston"
        provider_save(provider=provider, user=support)
        entry = stored(provider).history.first()
        assert (entry.town, entry.history_user, entry.history_change_reason) == (
            "Preston",
            support,
            "Changed in the portal",
        )

    def test_a_legacy_number_without_its_leading_zeros_is_stored_as_eight_characters(self, support):
        provider = provider_save(
            provider=Provider(name="Acme Care", company_number="123456"), user=support
        )
        assert stored(provider).company_number == "00123456"

    def test_a_number_another_provider_holds_is_refused_once_normalised(self, support):
        ProviderFactory(company_number="01234567")
        with pytest.raises(Refused) as refused:
            provider_save(
                provider=Provider(name="Acme Care", company_number="1234567"), user=support
            )
        assert refused.value.message_dict == {
            "company_number": ["Another provider has this Companies House number."]
        }
        assert Provider.objects.count() == 1

    def test_a_provider_keeps_its_own_number_when_changed(self, support):
        provider = ProviderFactory(company_number="01234567")
        provider.trading_name = "Acme Homes"
        provider_save(provider=provider, user=support)
        assert stored(provider).trading_name == "Acme Homes"

    def test_a_qa_officer_may_not_add_a_provider(self, qa1):
        with pytest.raises(Refused) as refused:
            provider_save(provider=Provider(name="Acme Care"), user=qa1)
        assert refused.value.messages == ["You may not add providers."]
        assert not Provider.objects.exists()

    def test_an_auditor_may_not_change_one(self, auditor):
        provider = ProviderFactory(town="Preston")
        provider.town = "Leyland"
        with pytest.raises(Refused, match="This is not a provider you may change."):
            provider_save(provider=provider, user=auditor)
        assert stored(provider).town == "Preston"

    def test_business_support_may_not_close_an_approval_review_by_editing_the_provider(
        self, support
    ):
        provider = ProviderFactory(
            approval_review_required=True, approval_review_reason="Home judged Inadequate."
        )
        provider.approval_review_required = False
        with pytest.raises(Refused):
            provider_save(provider=provider, user=support)
        assert stored(provider).approval_review_required


class TestProvidersCheck:
    def test_two_new_providers_with_one_number_in_one_bulk_are_not_both_accepted(self, manager):
        changes = [
            Change(Provider(name="First", company_number="01234567")),
            Change(Provider(name="Second", company_number="1234567")),
        ]
        refusals = refused_fields(providers_check(changes=changes, user=manager))
        assert ("Second", "company_number") in refusals
        assert set(refusals) <= {("First", "company_number"), ("Second", "company_number")}

    def test_a_new_applicant_needs_no_approval_permission(self, support):
        provider = Provider(name="New Homes Ltd", approval_status="applicant")
        assert providers_check(changes=[Change(provider)], user=support) == []
        assert provider.approval_status_changed_on is None

    def test_a_new_provider_added_as_approved_needs_a_manager(self, support, manager):
        change = Change(Provider(name="New Homes Ltd", approval_status="approved"))
        assert refused_fields(providers_check(changes=[change], user=support)) == [
            ("New Homes Ltd", "approval_status")
        ]
        assert providers_check(changes=[change], user=manager) == []
        assert change.obj.approval_status_changed_on == today()

    def test_the_reason_typed_on_the_approval_page_counts_even_when_it_repeats_the_old_one(
        self, manager
    ):
        provider = ProviderFactory(approval_status_reason="Safeguarding enquiry")
        imported = Change(provider, before=stored(provider))
        provider.approval_status = "suspended"
        assert refused_fields(providers_check(changes=[imported], user=manager)) == [
            (provider.name, "approval_status_reason")
        ]
        typed = Change(
            provider,
            before=stored(provider),
            context={REASON_GIVEN: "Safeguarding enquiry"},
        )
        assert providers_check(changes=[typed], user=manager) == []
        assert provider.approval_status_reason == "Safeguarding enquiry"


class TestProvidersWrite:
    def test_a_bulk_write_records_each_provider_with_the_user_and_reason(self, support):
        changes = [Change(Provider(name="First")), Change(Provider(name="Second"))]
        providers_write(changes=changes, user=support, reason="Imported from the tender list")
        entries = Provider.history.order_by("name")
        assert [(e.name, e.history_user, e.history_change_reason) for e in entries] == [
            ("First", support, "Imported from the tender list"),
            ("Second", support, "Imported from the tender list"),
        ]


class TestChangeApproval:
    def test_business_support_may_not_change_approval(self, support):
        provider = ProviderFactory()
        with pytest.raises(Refused) as refused:
            provider_change_approval(
                provider=provider, user=support, status="suspended", reason="Enquiry"
            )
        assert refused.value.message_dict["approval_status"] == [
            "Only managers may approve, suspend or remove providers."
        ]
        assert stored(provider).approval_status == "approved"

    @pytest.mark.parametrize(
        "status, label",
        [
            ("approved_with_conditions", "Approved with conditions"),
            ("suspended", "Suspended"),
            ("removed", "Removed"),
        ],
    )
    def test_a_status_that_needs_a_reason_is_refused_without_one(self, manager, status, label):
        provider = ProviderFactory()
        with pytest.raises(Refused) as refused:
            provider_change_approval(provider=provider, user=manager, status=status, reason="  ")
        assert refused.value.message_dict == {
            "approval_status_reason": [f"Give a reason for '{label}'."]
        }
        assert stored(provider).approval_status == "approved"

    def test_a_reason_that_repeats_the_old_one_is_accepted(self, manager):
        provider = ProviderFactory(approval_status_reason="Late safeguarding returns")
        provider_change_approval(
            provider=provider,
            user=manager,
            status="approved_with_conditions",
            reason="Late safeguarding returns",
        )
        saved = stored(provider)
        assert (saved.approval_status, saved.approval_status_reason) == (
            "approved_with_conditions",
            "Late safeguarding returns",
        )

    def test_the_same_status_is_refused_with_a_message(self, manager):
        provider = ProviderFactory(name="Acme Care", approval_status="approved_with_conditions")
        with pytest.raises(ValidationError) as refused:
            provider_change_approval(
                provider=provider, user=manager, status="approved_with_conditions", reason="x"
            )
        assert refused.value.message_dict == {
            "approval_status": ["Acme Care is already approved with conditions."]
        }
        assert stored(provider).history.count() == 1  # the set-up's row only

    def test_the_change_is_dated_today_and_recorded_with_its_reason(self, manager):
        provider = ProviderFactory(approval_status_changed_on=date(2024, 1, 1))
        provider_change_approval(
            provider=provider, user=manager, status="suspended", reason=" Safeguarding enquiry "
        )
        saved = stored(provider)
        assert (saved.approval_status_changed_on, saved.approval_status_reason) == (
            today(),
            "Safeguarding enquiry",
        )
        entry = saved.history.first()
        assert (entry.history_user, entry.history_change_reason) == (
            manager,
            "Approval status changed to Suspended: Safeguarding enquiry",
        )

    def test_the_date_it_took_effect_may_be_given(self, manager):
        provider = ProviderFactory()
        provider_change_approval(
            provider=provider, user=manager, status="removed", reason="Closed", on=date(2026, 3, 2)
        )
        assert stored(provider).approval_status_changed_on == date(2026, 3, 2)

    def test_a_new_status_does_not_keep_the_old_ones_reason(self, manager):
        provider = ProviderFactory(
            approval_status="suspended", approval_status_reason="Safeguarding enquiry"
        )
        provider_change_approval(provider=provider, user=manager, status="approved")
        saved = stored(provider)
        assert (saved.approval_status, saved.approval_status_reason) == ("approved", "")
        assert saved.history.first().history_change_reason == "Approval status changed to Approved"

    def test_approving_brings_its_settings_into_use_and_flags_an_inadequate_one(
        self, manager, django_capture_on_commit_callbacks
    ):
        provider = ProviderFactory(approval_status="applicant")
        setting = SettingFactory(provider=provider)
        InspectionFactory(setting=setting, overall="inadequate")
        assert not Setting.objects.get(pk=setting.pk).enhanced_monitoring
        with django_capture_on_commit_callbacks(execute=True):
            provider_change_approval(provider=provider, user=manager, status="approved")
        assert Setting.objects.get(pk=setting.pk).enhanced_monitoring
        assert stored(provider).approval_review_required
        assert Visit.objects.filter(setting=setting, reason="risk").count() == 1
        assert len(mail.outbox) == 1


class TestCloseReview:
    def open_review(self) -> Provider:
        return ProviderFactory(
            approval_review_required=True,
            approval_review_since=today() - timedelta(days=3),
            approval_review_reason="Home 1 judged Inadequate on 01/10/2026.",
        )

    def test_a_manager_closes_it_with_the_outcome_in_reason_and_history(self, manager):
        provider = self.open_review()
        provider_close_review(provider=provider, user=manager, note=" Action plan accepted ")
        saved = stored(provider)
        assert not saved.approval_review_required
        assert saved.approval_review_reason == (
            "Home 1 judged Inadequate on 01/10/2026.\nClosed: Action plan accepted"
        )
        entry = saved.history.first()
        assert (entry.history_user, entry.history_change_reason) == (
            manager,
            "Approval review closed: Action plan accepted",
        )

    def test_a_closed_review_stays_closed_when_the_daily_check_runs_again(self, manager):
        provider = ProviderFactory(approval_status="applicant")
        setting = SettingFactory(provider=provider)
        InspectionFactory(setting=setting, overall="inadequate")
        provider_change_approval(provider=provider, user=manager, status="approved")
        provider = stored(provider)
        assert provider.approval_review_required
        provider_close_review(provider=provider, user=manager, note="Kept on: action plan agreed")
        monitoring_refresh(user=None)
        saved = stored(provider)
        assert not saved.approval_review_required
        assert saved.approval_review_reason.endswith("Closed: Kept on: action plan agreed")

    @pytest.mark.parametrize("role", NOT_MANAGERS)
    def test_only_a_manager_may_close_it(self, make_user, role):
        provider = self.open_review()
        with pytest.raises(PermissionDenied):
            provider_close_review(provider=provider, user=make_user(role), note="Fine now")
        assert stored(provider).approval_review_required

    def test_a_provider_with_no_open_review_is_refused(self, manager):
        provider = ProviderFactory(name="Acme Care")
        with pytest.raises(ValidationError) as refused:
            provider_close_review(provider=provider, user=manager, note="Fine")
        assert refused.value.messages == ["Acme Care has no open approval review."]
        assert stored(provider).history.count() == 1  # the set-up's row only

    def test_the_outcome_must_be_recorded(self, manager):
        provider = self.open_review()
        with pytest.raises(ValidationError) as refused:
            provider_close_review(provider=provider, user=manager, note="   ")
        assert refused.value.message_dict == {"note": ["Record the outcome of the review."]}
        assert stored(provider).approval_review_required


class TestPredicates:
    @pytest.mark.parametrize("role, allowed", MANAGERS_ONLY)
    def test_only_managers_may_change_approval(self, make_user, role, allowed):
        provider = ProviderFactory()
        assert provider_approval_allowed(provider=provider, user=make_user(role)) is allowed

    @pytest.mark.parametrize("role, allowed", MANAGERS_ONLY)
    def test_only_managers_may_close_an_open_review(self, make_user, role, allowed):
        provider = ProviderFactory(approval_review_required=True)
        assert provider_review_allowed(provider=provider, user=make_user(role)) is allowed

    def test_no_one_may_close_a_review_that_is_not_open(self, manager):
        provider = ProviderFactory(approval_review_required=False)
        assert provider_review_allowed(provider=provider, user=manager) is False
