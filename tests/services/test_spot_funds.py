"""The spot commissioning fund (seed 001): applying within the caps, the
Resource Panel's decision, and the outcomes recorded at the end."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from registers import roles
from registers.changes import Change, Refused
from registers.models import SpotFundApplication
from registers.services.spot_funds import (
    spot_fund_decide,
    spot_fund_decision_allowed,
    spot_fund_outcomes_allowed,
    spot_fund_record_outcomes,
    spot_fund_save,
    spot_funds_check,
    spot_funds_write,
)
from tests.factories import SpotFundFactory, today

pytestmark = pytest.mark.django_db

NOT_MANAGERS = [
    roles.BUSINESS_SUPPORT,
    roles.QA_OFFICER,
    roles.COMMISSIONING_OFFICER,
    roles.AUDITOR,
]
MANAGERS_ONLY = [(roles.MANAGER, True)] + [(role, False) for role in NOT_MANAGERS]
CHILD_CAP_MESSAGE = (
    "A child and family is capped at £2,500 a financial year: case LAN-1 has "
    "£2,000.00 already, so £500.00 is left."
)


def stored(application) -> SpotFundApplication:
    return SpotFundApplication.objects.get(pk=application.pk)


def group(amount: str) -> SpotFundApplication:
    return SpotFundFactory.build(
        kind="group",
        case_id="",
        child_initials="",
        group_description="Young carers' group",
        amount=Decimal(amount),
    )


class TestApplying:
    def test_an_application_names_its_applicant_and_is_recorded(self, officer):
        application = spot_fund_save(application=SpotFundFactory.build(), user=officer)
        saved = stored(application)
        assert (saved.applicant, saved.status) == (officer, "submitted")
        entry = saved.history.get()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "+",
            officer,
            "Application submitted",
        )

    @pytest.mark.parametrize(
        "role, allowed",
        [
            (roles.MANAGER, True),
            (roles.BUSINESS_SUPPORT, True),
            (roles.COMMISSIONING_OFFICER, True),
            (roles.QA_OFFICER, False),
            (roles.AUDITOR, False),
        ],
    )
    def test_who_may_apply(self, make_user, role, allowed):
        refusals = spot_funds_check(changes=[Change(SpotFundFactory.build())], user=make_user(role))
        assert [m for r in refusals for m in r.error.messages] == (
            [] if allowed else ["You may not apply to the spot commissioning fund."]
        )

    def test_a_childs_applications_in_one_financial_year_share_the_cap(self, officer):
        SpotFundFactory(case_id="lan-1", amount=Decimal("2000"), applied_on=date(2026, 5, 1))
        over = SpotFundFactory.build(
            case_id="LAN-1", amount=Decimal("500.01"), applied_on=date(2027, 3, 31)
        )
        with pytest.raises(Refused) as refused:
            spot_fund_save(application=over, user=officer)
        assert refused.value.message_dict == {"amount": [CHILD_CAP_MESSAGE]}
        assert SpotFundApplication.objects.count() == 1
        up_to = SpotFundFactory.build(
            case_id="LAN-1", amount=Decimal("500"), applied_on=date(2027, 3, 31)
        )
        spot_fund_save(application=up_to, user=officer)
        assert SpotFundApplication.objects.count() == 2

    def test_declined_applications_do_not_count_towards_the_cap(self, officer):
        SpotFundFactory(case_id="LAN-1", amount=Decimal("2500"), status="declined")
        spot_fund_save(
            application=SpotFundFactory.build(case_id="LAN-1", amount=Decimal("2500")),
            user=officer,
        )
        assert SpotFundApplication.objects.filter(status="submitted").count() == 1

    def test_a_group_application_is_capped_on_its_own(self, officer):
        SpotFundFactory(case_id="LAN-1", amount=Decimal("2500"))
        spot_fund_save(application=group("4950"), user=officer)
        with pytest.raises(Refused) as refused:
            spot_fund_save(application=group("4950.01"), user=officer)
        assert refused.value.message_dict == {
            "amount": ["A group application is capped at £4,950."]
        }
        assert SpotFundApplication.objects.filter(kind="group").count() == 1

    def test_a_bulk_write_records_each_with_the_user_and_reason(self, manager):
        changes = [
            Change(SpotFundFactory.build(case_id="LAN-1")),
            Change(SpotFundFactory.build(case_id="LAN-2")),
        ]
        spot_funds_write(changes=changes, user=manager, reason="Entered from the panel papers")
        entries = SpotFundApplication.history.order_by("case_id")
        assert [(e.case_id, e.history_user, e.history_change_reason) for e in entries] == [
            ("LAN-1", manager, "Entered from the panel papers"),
            ("LAN-2", manager, "Entered from the panel papers"),
        ]


class TestDeciding:
    def test_a_manager_approves_an_officers_application(self, manager, officer):
        application = SpotFundFactory(applicant=officer)
        spot_fund_decide(application=application, user=manager, approve=True, on=date(2026, 6, 1))
        saved = stored(application)
        assert (saved.status, saved.decided_by, saved.decided_on) == (
            "approved",
            manager,
            date(2026, 6, 1),
        )
        entry = saved.history.first()
        assert (entry.history_user, entry.history_change_reason) == (
            manager,
            "Application approved",
        )

    def test_a_decline_is_dated_today_and_recorded(self, manager, officer):
        application = SpotFundFactory(applicant=officer)
        spot_fund_decide(application=application, user=manager, approve=False)
        saved = stored(application)
        assert (saved.status, saved.decided_on) == ("declined", today())
        assert saved.history.first().history_change_reason == "Application declined"

    @pytest.mark.parametrize("role", NOT_MANAGERS)
    def test_only_managers_decide(self, make_user, role, officer):
        application = SpotFundFactory(applicant=officer)
        with pytest.raises(PermissionDenied):
            spot_fund_decide(application=application, user=make_user(role), approve=True)
        assert stored(application).status == "submitted"

    def test_no_one_decides_their_own_application(self, manager):
        application = SpotFundFactory(applicant=manager)
        with pytest.raises(PermissionDenied, match="You cannot decide your own application."):
            spot_fund_decide(application=application, user=manager, approve=True)
        assert stored(application).status == "submitted"

    def test_a_decided_application_is_not_decided_again(self, manager, officer):
        application = SpotFundFactory(applicant=officer, status="declined")
        with pytest.raises(ValidationError, match="was already decided"):
            spot_fund_decide(application=application, user=manager, approve=True)
        assert stored(application).status == "declined"

    def test_approving_checks_the_cap_again_but_declining_does_not(
        self, manager, officer, settings
    ):
        application = SpotFundFactory(applicant=officer, amount=Decimal("2000"))
        settings.SPOT_FUND_CAP_CHILD = 1500  # the cap was lowered while it waited for the panel
        with pytest.raises(Refused) as refused:
            spot_fund_decide(application=application, user=manager, approve=True)
        assert "capped at £1,500" in refused.value.message_dict["amount"][0]
        assert stored(application).status == "submitted"
        spot_fund_decide(application=stored(application), user=manager, approve=False)
        assert stored(application).status == "declined"

    @pytest.mark.parametrize("role, allowed", MANAGERS_ONLY)
    def test_who_is_offered_the_decision(self, make_user, role, allowed, officer):
        application = SpotFundFactory(applicant=officer)
        assert spot_fund_decision_allowed(application=application, user=make_user(role)) is allowed

    def test_the_decision_is_not_offered_on_ones_own_or_a_decided_application(self, manager):
        own = SpotFundFactory(applicant=manager)
        decided = SpotFundFactory(status="approved")
        assert spot_fund_decision_allowed(application=own, user=manager) is False
        assert spot_fund_decision_allowed(application=decided, user=manager) is False


class TestOutcomes:
    def test_the_applicant_records_the_outcomes_which_completes_the_application(self, officer):
        application = SpotFundFactory(applicant=officer, status="approved")
        spot_fund_record_outcomes(
            application=application,
            user=officer,
            outcomes_achieved=" Attended every session ",
            case_study="Now at college.",
            completed_on=date(2026, 9, 30),
        )
        saved = stored(application)
        assert (saved.status, saved.outcomes_achieved, saved.case_study, saved.completed_on) == (
            "completed",
            "Attended every session",
            "Now at college.",
            date(2026, 9, 30),
        )
        entry = saved.history.first()
        assert (entry.history_user, entry.history_change_reason) == (officer, "Outcomes recorded")

    @pytest.mark.parametrize(
        "role", [roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.COMMISSIONING_OFFICER]
    )
    def test_no_one_but_the_applicant_or_a_manager_records_them(self, make_user, role, officer):
        application = SpotFundFactory(applicant=officer, status="approved")
        with pytest.raises(PermissionDenied):
            spot_fund_record_outcomes(
                application=application, user=make_user(role), outcomes_achieved="Went well"
            )
        assert stored(application).status == "approved"

    @pytest.mark.parametrize("status", ["submitted", "declined", "completed"])
    def test_only_an_approved_application_records_them(self, manager, status):
        application = SpotFundFactory(status=status)
        with pytest.raises(ValidationError, match="Only an approved application records outcomes."):
            spot_fund_record_outcomes(application=application, user=manager, outcomes_achieved="x")
        assert stored(application).status == status

    def test_the_outcomes_are_required(self, officer):
        application = SpotFundFactory(applicant=officer, status="approved")
        with pytest.raises(ValidationError) as refused:
            spot_fund_record_outcomes(application=application, user=officer, outcomes_achieved=" ")
        assert refused.value.message_dict == {
            "outcomes_achieved": ["Record the outcomes achieved."]
        }
        assert stored(application).status == "approved"

    def test_who_is_offered_the_outcomes_form(self, manager, officer, make_user):
        application = SpotFundFactory(applicant=officer, status="approved")
        colleague = make_user(roles.COMMISSIONING_OFFICER)
        offered = {
            user.username: spot_fund_outcomes_allowed(application=application, user=user)
            for user in (manager, officer, colleague)
        }
        assert offered == {
            manager.username: True,
            officer.username: True,
            colleague.username: False,
        }
        submitted = SpotFundFactory(applicant=officer)
        assert spot_fund_outcomes_allowed(application=submitted, user=officer) is False
