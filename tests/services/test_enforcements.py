"""Enforcement (issue 14, item 6): a compliance notice or restriction on
accommodation is recorded with its history; on a setting in use it brings
enhanced monitoring and a risk visit through the same check as an RI or
Inadequate judgement; lifting it is recorded and lifts the monitoring when
nothing else holds it."""

from datetime import timedelta

import pytest

from registers import roles
from registers.changes import Refused
from registers.dates import add_working_days
from registers.models import (
    ApprovalStatus,
    AuthoritySetting,
    Enforcement,
    EnforcementKind,
    Judgement,
    Setting,
    Visit,
    VisitReason,
    VisitStatus,
)
from registers.services.contracts import contract_save
from registers.services.enforcements import (
    enforcement_delete,
    enforcement_impose,
    enforcement_lift,
)
from registers.services.monitoring import monitoring_due_q, monitoring_refresh
from tests.factories import (
    ContractFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db

NOTICE = EnforcementKind.COMPLIANCE_NOTICE
RESTRICTION = EnforcementKind.ACCOMMODATION_RESTRICTION


def stored(setting) -> Setting:
    return Setting.objects.get(pk=setting.pk)


def impose(setting, user, *, kind=NOTICE, days_ago=2, **values) -> Enforcement:
    return enforcement_impose(
        setting=setting,
        kind=kind,
        imposed_on=today() - timedelta(days=days_ago),
        note="Night staffing below the statement of purpose.",
        user=user,
        **values,
    )


def risk_visits(setting):
    return Visit.objects.filter(setting=setting, reason=VisitReason.RISK)


class TestImposing:
    def test_a_setting_in_use_goes_under_enhanced_monitoring_with_a_risk_visit(self, support):
        setting = SettingFactory()  # an approved provider's: in use
        InspectionFactory(setting=setting, overall=Judgement.GOOD)
        enforcement = impose(setting, support, days_ago=3)
        saved = stored(setting)
        assert saved.compliance_notice_on == enforcement.imposed_on
        assert saved.accommodation_restriction_on is None
        assert (saved.enhanced_monitoring, saved.enhanced_monitoring_since) == (True, today())
        assert saved.enhanced_monitoring_inspection is None
        own = AuthoritySetting.objects.get(setting=setting, authority=home_authority())
        assert own.enhanced_monitoring
        visit = risk_visits(setting).get()
        assert (visit.status, visit.kind, visit.triggered_by_enforcement) == (
            VisitStatus.PLANNED,
            "unannounced",
            enforcement,
        )
        assert visit.planned_date == add_working_days(enforcement.imposed_on, 10)
        assert visit.authority == home_authority()
        assert saved.history.first().history_change_reason.startswith("Enhanced monitoring:")
        assert enforcement.history.get().history_user == support
        assert enforcement.recorded_by == support

    def test_a_setting_not_in_use_is_recorded_but_not_monitored(self, support):
        setting = SettingFactory(provider=ProviderFactory(approval_status=ApprovalStatus.APPLICANT))
        enforcement = impose(setting, support)
        saved = stored(setting)
        assert saved.compliance_notice_on == enforcement.imposed_on
        assert not saved.enhanced_monitoring
        assert not risk_visits(setting).exists()

    def test_it_takes_effect_when_the_setting_comes_into_use(self, support, manager):
        setting = SettingFactory(provider=ProviderFactory(approval_status=ApprovalStatus.APPLICANT))
        impose(setting, support)
        contract_save(
            contract=ContractFactory.build(
                provider=setting.provider, setting=setting, authority=home_authority()
            ),
            user=manager,
            # The provider is an applicant: contracting with it needs a reason.
            reason="Emergency placement while the application is decided",
        )
        assert stored(setting).enhanced_monitoring
        assert risk_visits(setting).count() == 1

    def test_the_daily_check_then_finds_nothing_to_do(self, support, manager):
        setting = SettingFactory()
        impose(setting, support)
        assert not Setting.objects.filter(monitoring_due_q(today=today())).exists()
        outcome = monitoring_refresh(user=manager)
        assert not outcome.changed
        assert risk_visits(setting).count() == 1

    def test_a_rated_setting_already_visited_for_its_rating_gets_a_visit_for_the_enforcement(
        self, support, manager
    ):
        setting = SettingFactory()
        InspectionFactory(setting=setting, overall=Judgement.REQUIRES_IMPROVEMENT)
        monitoring_refresh(user=manager)
        first = risk_visits(setting).get()
        first.status, first.planned_date = VisitStatus.COMPLETED, today() - timedelta(days=5)
        first.actual_date = first.planned_date
        first.save()
        impose(setting, support, days_ago=0)
        visits = risk_visits(setting).order_by("pk")
        assert visits.count() == 2
        assert visits.last().triggered_by_enforcement is not None
        # Still flagged for its rating, with its inspection named.
        assert stored(setting).enhanced_monitoring_inspection_id is not None

    def test_an_open_risk_visit_serves_for_the_enforcement_too(self, support, manager):
        setting = SettingFactory()
        InspectionFactory(setting=setting, overall=Judgement.INADEQUATE)
        monitoring_refresh(user=manager)
        impose(setting, support)
        assert risk_visits(setting).count() == 1

    def test_a_second_of_the_same_kind_in_force_is_refused_naming_the_field(self, support):
        setting = SettingFactory(name="Oak House")
        impose(setting, support)
        with pytest.raises(Refused) as refused:
            impose(setting, support, days_ago=1)
        assert list(refused.value.message_dict) == ["kind"]
        assert "Oak House already has a compliance notice in force" in str(refused.value)
        impose(setting, support, kind=RESTRICTION)  # the other kind is its own
        assert stored(setting).accommodation_restriction_on is not None

    def test_it_cannot_be_imposed_in_the_future(self, support):
        with pytest.raises(Refused) as refused:
            impose(SettingFactory(), support, days_ago=-1)
        assert list(refused.value.message_dict) == ["imposed_on"]
        assert not Enforcement.objects.exists()

    @pytest.mark.parametrize("role", [roles.QA_OFFICER, roles.COMMISSIONING_OFFICER, roles.AUDITOR])
    def test_only_business_support_and_managers_record_it(self, role, make_user, manager):
        with pytest.raises(Refused, match="Only business support and managers"):
            impose(SettingFactory(), make_user(role))
        impose(SettingFactory(), manager)


class TestLifting:
    def test_lifting_is_recorded_and_lifts_the_monitoring(self, support):
        setting = SettingFactory()
        InspectionFactory(setting=setting, overall=Judgement.GOOD)
        enforcement = impose(setting, support)
        enforcement_lift(enforcement=enforcement, user=support, note="Ofsted satisfied.")
        enforcement.refresh_from_db()
        assert (enforcement.lifted_on, enforcement.lifted_by, enforcement.lifted_note) == (
            today(),
            support,
            "Ofsted satisfied.",
        )
        assert enforcement.history.first().history_change_reason.startswith(
            "Compliance notice lifted on"
        )
        saved = stored(setting)
        assert saved.compliance_notice_on is None
        assert not saved.enhanced_monitoring
        assert not AuthoritySetting.objects.get(setting=setting).enhanced_monitoring

    def test_an_unregulated_setting_with_no_rating_is_lifted_too(self, support):
        setting = SettingFactory(urn=None, provision_type="Supported accommodation")
        enforcement = impose(setting, support)
        assert stored(setting).enhanced_monitoring
        enforcement_lift(enforcement=enforcement, user=support, note="Lifted.")
        assert not stored(setting).enhanced_monitoring

    def test_a_requires_improvement_rating_keeps_the_setting_monitored(self, support, manager):
        setting = SettingFactory()
        InspectionFactory(setting=setting, overall=Judgement.REQUIRES_IMPROVEMENT)
        enforcement = impose(setting, support)
        enforcement_lift(enforcement=enforcement, user=support, note="Lifted.")
        assert stored(setting).enhanced_monitoring
        assert not monitoring_refresh(user=manager).changed

    def test_another_enforcement_in_force_keeps_the_setting_monitored(self, support):
        setting = SettingFactory()
        notice = impose(setting, support)
        impose(setting, support, kind=RESTRICTION)
        enforcement_lift(enforcement=notice, user=support, note="Notice met.")
        saved = stored(setting)
        assert (saved.compliance_notice_on, saved.enhanced_monitoring) == (None, True)
        assert saved.accommodation_restriction_on is not None

    def test_a_good_rating_does_not_lift_a_setting_held_by_enforcement(self, support, manager):
        setting = SettingFactory()
        impose(setting, support)
        InspectionFactory(setting=setting, overall=Judgement.GOOD)
        monitoring_refresh(user=manager)
        assert stored(setting).enhanced_monitoring

    def test_lifting_needs_a_reason_and_happens_once(self, support):
        enforcement = impose(SettingFactory(), support)
        with pytest.raises(Refused) as refused:
            enforcement_lift(enforcement=enforcement, user=support, note=" ")
        assert list(refused.value.message_dict) == ["lifted_note"]
        enforcement_lift(enforcement=enforcement, user=support, note="Met.")
        with pytest.raises(Refused) as refused:
            enforcement_lift(enforcement=enforcement, user=support, note="Again.")
        assert list(refused.value.message_dict) == ["lifted_on"]

    def test_it_cannot_be_lifted_before_it_was_imposed(self, support):
        enforcement = impose(SettingFactory(), support, days_ago=2)
        with pytest.raises(Refused) as refused:
            enforcement_lift(
                enforcement=enforcement,
                user=support,
                note="Met.",
                lifted_on=today() - timedelta(days=3),
            )
        assert list(refused.value.message_dict) == ["lifted_on"]
        assert Enforcement.objects.get(pk=enforcement.pk).lifted_on is None

    def test_others_may_not_lift_it(self, support, qa1):
        enforcement = impose(SettingFactory(), support)
        with pytest.raises(Refused, match="Only business support and managers"):
            enforcement_lift(enforcement=enforcement, user=qa1, note="Met.")


def test_deleting_one_recorded_in_error_undoes_its_flag(support, manager):
    setting = SettingFactory()
    enforcement = impose(setting, support)
    enforcement_delete(enforcement=enforcement, user=manager, reason="Wrong setting")
    saved = stored(setting)
    assert (saved.compliance_notice_on, saved.enhanced_monitoring) == (None, False)
    assert Enforcement.history.filter(history_type="-").get().history_user == manager
