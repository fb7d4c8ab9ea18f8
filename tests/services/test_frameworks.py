"""The frameworks service: frameworks, their lots, and the providers admitted."""

from datetime import date

import pytest

from registers import roles
from registers.changes import Change, Refused
from registers.models import Framework, Lot
from registers.services.frameworks import (
    framework_save,
    frameworks_check,
    frameworks_write,
    lot_save,
)
from tests.factories import FrameworkFactory, LotFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def new_framework(**values) -> Framework:
    defaults = {
        "name": "Residential care",
        "reference": "FW-RES",
        "kind": "dps",
        "start_date": date(2026, 4, 1),
        "end_date": date(2030, 3, 31),
    }
    return Framework(**{**defaults, **values})


def admitted(entry) -> set[int]:
    return set(entry.providers.values_list("provider_id", flat=True))


class TestFrameworkSave:
    def test_business_support_adds_a_framework_with_who_and_why_in_its_history(self, support):
        framework = framework_save(
            framework=new_framework(), user=support, reason="Awarded by cabinet"
        )
        entry = Framework.objects.get(pk=framework.pk).history.get()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "+",
            support,
            "Awarded by cabinet",
        )

    def test_an_end_before_the_start_is_refused(self, support):
        with pytest.raises(Refused) as refused:
            framework_save(framework=new_framework(end_date=date(2026, 3, 31)), user=support)
        assert refused.value.message_dict == {
            "end_date": ["The end date cannot be before the start date."]
        }
        assert not Framework.objects.exists()

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
    def test_who_may_add_frameworks_and_lots(self, make_user, role, allowed):
        framework = FrameworkFactory()
        changes = [Change(new_framework()), Change(Lot(framework=framework, number=1, name="A"))]
        messages = [
            m
            for r in frameworks_check(changes=changes, user=make_user(role))
            for m in r.error.messages
        ]
        assert messages == (
            [] if allowed else ["You may not add frameworks.", "You may not add lots."]
        )

    def test_a_qa_officer_may_not_change_a_framework(self, qa1):
        framework = FrameworkFactory(name="Residential care")
        framework.name = "Fostering"
        with pytest.raises(Refused, match="This is not a framework you may change."):
            framework_save(framework=framework, user=qa1)
        assert Framework.objects.get(pk=framework.pk).name == "Residential care"


class TestFrameworksWrite:
    def test_a_bulk_write_records_each_with_the_user_and_reason(self, manager):
        framework = FrameworkFactory()
        changes = [
            Change(Lot(framework=framework, number=1, name="Homes")),
            Change(Lot(framework=framework, number=2, name="Fostering")),
        ]
        frameworks_write(changes=changes, user=manager, reason="Lots set up")
        entries = Lot.history.order_by("number")
        assert [(e.name, e.history_user, e.history_change_reason) for e in entries] == [
            ("Homes", manager, "Lots set up"),
            ("Fostering", manager, "Lots set up"),
        ]


class TestLotSave:
    def test_admitting_providers_is_recorded_in_the_lots_history(self, support):
        first, second = ProviderFactory(), ProviderFactory()
        lot = lot_save(
            lot=Lot(framework=FrameworkFactory(), number=1, name="Homes"),
            user=support,
            reason="Admitted after evaluation",
            providers=[first, second],
        )
        assert set(lot.providers.all()) == {first, second}
        entry = lot.history.first()
        assert (admitted(entry), entry.history_user, entry.history_change_reason) == (
            {first.pk, second.pk},
            support,
            "Admitted after evaluation",
        )

    def test_a_change_of_admissions_without_a_reason_says_so(self, support):
        kept, dropped = ProviderFactory(), ProviderFactory()
        lot = LotFactory()
        lot.providers.set([kept, dropped])
        lot_save(lot=lot, user=support, providers=[kept])
        entry = lot.history.first()
        assert (admitted(entry), entry.history_change_reason) == (
            {kept.pk},
            "Admitted providers changed",
        )

    def test_a_refused_lot_admits_no_one(self, qa1):
        lot = LotFactory(name="Homes")
        lot.name = "Fostering"
        with pytest.raises(Refused, match="This is not a lot you may change."):
            lot_save(lot=lot, user=qa1, providers=[ProviderFactory()])
        assert not Lot.objects.get(pk=lot.pk).providers.exists()
        assert Lot.objects.get(pk=lot.pk).name == "Homes"

    def test_a_later_save_of_the_same_lot_records_its_own_reason(self, manager, support):
        lot = lot_save(
            lot=Lot(framework=FrameworkFactory(), number=1, name="Homes"),
            user=manager,
            reason="Lot opened",
            providers=[ProviderFactory()],
        )
        lot.name = "Children's homes"
        lot_save(lot=lot, user=support, reason="Renamed after review")
        entry = lot.history.first()
        assert (entry.name, entry.history_user, entry.history_change_reason) == (
            "Children's homes",
            support,
            "Renamed after review",
        )
