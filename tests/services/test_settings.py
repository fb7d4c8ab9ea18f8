"""The settings service: who may add and change settings, their URNs, and the
enhanced-monitoring check a new or re-owned setting goes through."""

from datetime import timedelta

import pytest
from django.core import mail

from registers import roles
from registers.changes import Change, Refused
from registers.models import Inspection, Setting, Visit
from registers.services.inspections import inspection_save
from registers.services.settings import setting_save, settings_check, settings_write
from registers.services.units import write_unit
from tests.factories import InspectionFactory, ProviderFactory, SettingFactory, today

pytestmark = pytest.mark.django_db

MONITORING_REFUSED = "Enhanced monitoring follows the Ofsted judgements, not edits."


def new_setting(**values) -> Setting:
    return Setting(**{"urn": "SC123456", "provision_type": "Children's home", **values})


def stored(setting) -> Setting:
    return Setting.objects.get(pk=setting.pk)


class TestSettingSave:
    def test_business_support_adds_a_setting_with_who_and_why_in_its_history(self, support):
        setting = setting_save(
            setting=new_setting(urn=" sc 123456", provider=ProviderFactory()),
            user=support,
            reason="Registered with Ofsted",
        )
        saved = stored(setting)
        assert saved.urn == "SC123456"
        entry = saved.history.get()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "+",
            support,
            "Registered with Ofsted",
        )

    def test_a_change_is_recorded_with_the_portal_reason_when_none_is_given(self, support):
        setting = SettingFactory(places=3)
        setting.places = 4
        setting_save(setting=setting, user=support)
        entry = stored(setting).history.first()
        assert (entry.places, entry.history_user, entry.history_change_reason) == (
            4,
            support,
            "Changed in the portal",
        )

    @pytest.mark.parametrize(
        "role, allowed",
        [
            (roles.MANAGER, True),
            (roles.BUSINESS_SUPPORT, True),
            (roles.QA_OFFICER, False),
            (roles.COMMISSIONING_OFFICER, False),
            (roles.AUDITOR, False),
        ],
    )
    def test_who_may_add_a_setting(self, make_user, role, allowed):
        refusals = settings_check(changes=[Change(new_setting())], user=make_user(role))
        assert [m for r in refusals for m in r.error.messages] == (
            [] if allowed else ["You may not add settings."]
        )

    def test_a_qa_officer_may_not_change_a_setting_and_nothing_is_written(self, qa1):
        setting = SettingFactory(places=3)
        setting.places = 4
        with pytest.raises(Refused, match="This is not a setting you may change."):
            setting_save(setting=setting, user=qa1)
        assert stored(setting).places == 3

    def test_a_urn_another_setting_holds_is_refused(self, support):
        SettingFactory(urn="SC123456")
        with pytest.raises(Refused) as refused:
            setting_save(setting=new_setting(urn="sc123456"), user=support)
        assert refused.value.message_dict == {"urn": ["Another setting has this URN."]}
        assert Setting.objects.count() == 1

    def test_two_new_settings_with_one_urn_in_one_bulk_are_not_both_accepted(self, support):
        first, second = Change(new_setting(name="First")), Change(new_setting(name="Second"))
        refusals = settings_check(changes=[first, second], user=support)
        refused = {r.change.obj.name: r.messages() for r in refusals}
        assert refused["Second"] == [("urn", "Another setting has this URN.")]


class TestMonitoringFields:
    @pytest.mark.parametrize(
        "field, value",
        [("enhanced_monitoring", True), ("enhanced_monitoring_since", today())],
    )
    def test_they_cannot_be_edited(self, manager, field, value):
        setting = SettingFactory()
        setattr(setting, field, value)
        with pytest.raises(Refused) as refused:
            setting_save(setting=setting, user=manager)
        assert refused.value.messages == [MONITORING_REFUSED]
        assert not stored(setting).enhanced_monitoring
        assert stored(setting).history.count() == 1  # the set-up's row only

    def test_nor_can_they_be_cleared(self, manager):
        setting = SettingFactory(enhanced_monitoring=True, enhanced_monitoring_since=today())
        setting.enhanced_monitoring = False
        setting.enhanced_monitoring_since = None
        with pytest.raises(Refused, match=MONITORING_REFUSED):
            setting_save(setting=setting, user=manager)
        assert stored(setting).enhanced_monitoring

    def test_the_inspection_that_caused_it_cannot_be_edited_either(self, manager):
        setting = SettingFactory(enhanced_monitoring=True, enhanced_monitoring_since=today())
        cause = InspectionFactory(setting=setting, overall="inadequate")
        Setting.objects.filter(pk=setting.pk).update(enhanced_monitoring_inspection=cause)
        setting = stored(setting)
        setting.enhanced_monitoring_inspection = InspectionFactory(setting=setting)
        with pytest.raises(Refused, match=MONITORING_REFUSED):
            setting_save(setting=setting, user=manager)

    def test_a_new_setting_cannot_be_added_under_enhanced_monitoring(self, manager):
        with pytest.raises(Refused, match=MONITORING_REFUSED):
            setting_save(
                setting=new_setting(enhanced_monitoring=True, enhanced_monitoring_since=today()),
                user=manager,
            )


class TestEnhancedMonitoringTrigger:
    def test_a_new_setting_of_an_approved_provider_judged_inadequate_is_flagged_once(
        self, manager, django_capture_on_commit_callbacks
    ):
        provider = ProviderFactory(approval_status="approved")
        with django_capture_on_commit_callbacks(execute=True), write_unit(user=manager):
            setting = setting_save(setting=new_setting(provider=provider), user=manager)
            inspection_save(
                inspection=Inspection(
                    setting=setting,
                    event_number="1",
                    inspection_date=today() - timedelta(days=5),
                    overall="inadequate",
                ),
                user=manager,
            )
        saved = stored(setting)
        assert saved.enhanced_monitoring and saved.enhanced_monitoring_since == today()
        flags = saved.history.filter(history_change_reason__startswith="Enhanced monitoring:")
        assert flags.count() == 1
        assert Visit.objects.filter(setting=setting, reason="risk").count() == 1
        assert len(mail.outbox) == 1

    def test_a_setting_that_passes_to_an_approved_provider_is_checked(self, manager):
        setting = SettingFactory(provider=None)
        InspectionFactory(setting=setting, overall="requires_improvement")
        setting.provider = ProviderFactory(approval_status="approved")
        setting_save(setting=setting, user=manager, reason="Matched to its owner")
        assert stored(setting).enhanced_monitoring


class TestSettingsWrite:
    def test_a_bulk_write_records_each_setting_with_the_user_and_reason(self, support):
        changes = [
            Change(new_setting(urn="SC000001")),
            Change(new_setting(urn="SC000002")),
        ]
        settings_write(changes=changes, user=support, reason="Imported from Ofsted")
        entries = Setting.history.order_by("urn")
        assert [(e.urn, e.history_user, e.history_change_reason) for e in entries] == [
            ("SC000001", support, "Imported from Ofsted"),
            ("SC000002", support, "Imported from Ofsted"),
        ]
