"""The Ofsted rating tracker's service: recording inspections with their rules,
and deleting a wrong one."""

from datetime import timedelta

import pytest

from registers.changes import Change, Refused
from registers.models import Inspection, Setting
from registers.services.inspections import (
    inspection_delete,
    inspection_save,
    inspections_check,
    inspections_write,
)
from tests.factories import InspectionFactory, ProviderFactory, SettingFactory, today

pytestmark = pytest.mark.django_db


def inspection(setting, **values) -> Inspection:
    defaults = {
        "event_number": "10001",
        "inspection_type": "full",
        "inspection_date": today() - timedelta(days=10),
        "overall": "good",
    }
    return Inspection(setting=setting, **{**defaults, **values})


class TestInspectionSave:
    def test_an_inspection_is_recorded_with_who_and_why(self, support):
        setting = SettingFactory()
        saved = inspection_save(
            inspection=inspection(setting), user=support, reason="From the published report"
        )
        entry = Inspection.objects.get(pk=saved.pk).history.get()
        assert (entry.overall, entry.history_user, entry.history_change_reason) == (
            "good",
            support,
            "From the published report",
        )

    def test_an_inspection_recorded_without_a_reason_says_where_it_came_from(self, support):
        saved = inspection_save(inspection=inspection(SettingFactory()), user=support)
        assert saved.history.get().history_change_reason == "Recorded in the portal"

    @pytest.mark.parametrize(
        "values, field, message",
        [
            (
                {"inspection_date": today() + timedelta(days=1)},
                "inspection_date",
                "An inspection date cannot be in the future.",
            ),
            (
                {
                    "inspection_date": today() - timedelta(days=10),
                    "publication_date": today() - timedelta(days=11),
                },
                "publication_date",
                "The report cannot be published before the inspection.",
            ),
            ({"overall": ""}, "overall", "A full inspection needs an overall judgement."),
        ],
        ids=["future date", "published before inspected", "full without judgement"],
    )
    def test_the_inspections_own_rules_are_refusals_keyed_by_field(
        self, support, values, field, message
    ):
        with pytest.raises(Refused) as refused:
            inspection_save(inspection=inspection(SettingFactory(), **values), user=support)
        assert refused.value.message_dict == {field: [message]}
        assert not Inspection.objects.exists()

    def test_a_qa_officer_may_not_record_an_inspection(self, qa1):
        with pytest.raises(Refused, match="You may not record inspections."):
            inspection_save(inspection=inspection(SettingFactory()), user=qa1)
        assert not Inspection.objects.exists()

    def test_an_auditor_may_not_change_one(self, auditor):
        recorded = InspectionFactory(overall="good")
        recorded.overall = "outstanding"
        with pytest.raises(Refused, match="This is not an inspection you may change."):
            inspection_save(inspection=recorded, user=auditor)
        assert Inspection.objects.get(pk=recorded.pk).overall == "good"


class TestEventNumbers:
    def test_an_event_number_is_refused_twice_on_one_setting(self, support):
        setting = SettingFactory()
        InspectionFactory(setting=setting, event_number="10001")
        with pytest.raises(Refused) as refused:
            inspection_save(inspection=inspection(setting, event_number="10001"), user=support)
        assert refused.value.message_dict == {
            "event_number": ["This setting already has an inspection with this event number."]
        }
        assert setting.inspections.count() == 1

    def test_the_same_event_may_cover_another_setting(self, support):
        InspectionFactory(event_number="10001")
        other = SettingFactory()
        inspection_save(inspection=inspection(other, event_number="10001"), user=support)
        assert Inspection.objects.filter(event_number="10001").count() == 2

    def test_an_inspection_keeps_its_own_event_number_when_changed(self, support):
        recorded = InspectionFactory(event_number="10001", overall="good")
        recorded.overall = "outstanding"
        inspection_save(inspection=recorded, user=support)
        assert Inspection.objects.get(pk=recorded.pk).overall == "outstanding"

    def test_two_new_inspections_with_one_event_in_one_bulk_are_not_both_accepted(self, support):
        setting = SettingFactory()
        first = Change(inspection(setting, overall="good"))
        second = Change(inspection(setting, overall="inadequate"))
        refusals = inspections_check(changes=[first, second], user=support)
        refused = {r.change.obj.overall: r.messages() for r in refusals}
        assert refused["inadequate"] == [
            ("event_number", "This setting already has an inspection with this event number.")
        ]


class TestInspectionsWrite:
    def test_a_bulk_write_records_each_with_the_user_and_reason_and_checks_the_settings(
        self, manager
    ):
        setting = SettingFactory(provider=ProviderFactory(approval_status="approved"))
        changes = [
            Change(inspection(setting, event_number="1", inspection_date=today() - timedelta(9))),
            Change(
                inspection(
                    setting,
                    event_number="2",
                    inspection_date=today() - timedelta(3),
                    overall="requires_improvement",
                )
            ),
        ]
        inspections_write(changes=changes, user=manager, reason="Imported from Ofsted")
        entries = Inspection.history.order_by("event_number")
        assert [(e.event_number, e.history_user, e.history_change_reason) for e in entries] == [
            ("1", manager, "Imported from Ofsted"),
            ("2", manager, "Imported from Ofsted"),
        ]
        assert Setting.objects.get(pk=setting.pk).enhanced_monitoring


class TestInspectionDelete:
    def test_deleting_the_inadequate_judgement_lifts_monitoring_when_a_good_one_remains(
        self, manager
    ):
        setting = SettingFactory(provider=ProviderFactory(approval_status="approved"))
        InspectionFactory(setting=setting, overall="good", inspection_date=today() - timedelta(90))
        wrong = inspection_save(
            inspection=inspection(
                setting, inspection_date=today() - timedelta(5), overall="inadequate"
            ),
            user=manager,
        )
        assert Setting.objects.get(pk=setting.pk).enhanced_monitoring
        inspection_delete(inspection=wrong, user=manager, reason="Entered against the wrong home")
        saved = Setting.objects.get(pk=setting.pk)
        assert not saved.enhanced_monitoring
        assert saved.enhanced_monitoring_since is None
        assert saved.history.first().history_change_reason == (
            "Enhanced monitoring lifted: Ofsted judged it Good"
        )

    def test_the_deletion_is_in_the_history_with_who_and_why(self, manager):
        wrong = InspectionFactory()
        pk = wrong.pk
        inspection_delete(inspection=wrong, user=manager, reason="Duplicate entry")
        assert not Inspection.objects.filter(pk=pk).exists()
        entry = Inspection.history.filter(id=pk).first()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "-",
            manager,
            "Duplicate entry",
        )
