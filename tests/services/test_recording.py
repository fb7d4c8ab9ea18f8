"""Writing records with their history, and the unit of work around the writes.

Every service writes through ``record_changes``: one change is saved through
the ORM (so simple-history writes its row), many in bulk with the same
history rows. A unit is one transaction; work queued on it runs once, just
before the outermost unit commits, and side effects wait for the commit.
"""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from registers.changes import Change, Refusal, Refused, change_from, link_parents
from registers.models import ActionItem, Provider, Setting, Visit
from registers.services.recording import (
    change_for,
    check_one,
    log_write,
    record_changes,
    record_delete,
    save_one,
    stamp,
)
from registers.services.units import write_unit
from tests.factories import ActionItemFactory, ProviderFactory, SettingFactory, VisitFactory

pytestmark = pytest.mark.django_db

# Differ by design between two records written alike: keys and timestamps.
SKIP = {"history_id", "history_date", "id", "description"}


@pytest.fixture
def orm_saves():
    """The action items saved one by one through Model.save()."""
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_save.connect(receiver, sender=ActionItem, weak=False)
    yield seen
    post_save.disconnect(receiver, sender=ActionItem)


def latest_history(obj):
    return type(obj).history.filter(id=obj.pk).order_by("-history_id").first()


def history_values(obj) -> dict:
    row = type(obj).history.filter(id=obj.pk).order_by("-history_id").values().first()
    return {key: value for key, value in row.items() if key not in SKIP}


def edited(item, **values) -> Change:
    change = change_from(item)
    for name, value in values.items():
        setattr(item, name, value)
    return change


class TestRecordChanges:
    def test_unchanged_records_write_nothing_and_leave_no_history(
        self, manager, django_assert_num_queries
    ):
        items = ActionItemFactory.create_batch(3)
        before = ActionItem.history.count()
        with django_assert_num_queries(0):
            created, updated = record_changes(
                [change_from(item) for item in items], user=manager, reason="Nothing new"
            )
        assert (created, updated) == ([], [])
        assert ActionItem.history.count() == before

    def test_only_the_changed_records_of_a_batch_are_written(self, manager):
        same, different = ActionItemFactory.create_batch(2)
        created, updated = record_changes(
            [change_from(same), edited(different, owner="Deputy manager")],
            user=manager,
            reason="Owners updated",
        )
        assert (created, updated) == ([], [different])
        assert latest_history(same).history_change_reason is None  # the factory's row
        assert latest_history(different).history_change_reason == "Owners updated"

    def test_one_change_is_saved_through_the_orm(self, manager, orm_saves):
        item = ActionItemFactory()
        orm_saves.clear()
        record_changes([edited(item, owner="Deputy manager")], user=manager, reason="Owner")
        assert orm_saves == [item.pk]
        assert ActionItem.objects.get(pk=item.pk).owner == "Deputy manager"

    def test_many_changes_are_written_in_bulk_at_a_fixed_cost(self, manager, orm_saves):
        def cost(count: int) -> int:
            items = ActionItemFactory.create_batch(count)
            changes = [edited(item, owner=f"Owner {item.pk}") for item in items]
            orm_saves.clear()
            with CaptureQueriesContext(transaction.get_connection()) as queries:
                record_changes(changes, user=manager, reason="Owners")
            assert orm_saves == []
            return len(queries)

        assert cost(3) == cost(30)
        assert ActionItem.history.filter(history_change_reason="Owners").count() == 33

    def test_a_new_record_is_created_with_an_addition_history_row(self, manager):
        visit = VisitFactory()
        item = ActionItemFactory.build(visit=visit)
        created, updated = record_changes([Change(obj=item)], user=manager, reason="Action added")
        assert (created, updated) == ([item], [])
        row = latest_history(item)
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            manager,
            "Action added",
        )

    @pytest.mark.parametrize("history_type", ["+", "~"])
    def test_one_and_many_leave_the_same_history(self, history_type, manager):
        visit = VisitFactory()

        def write(count: int) -> list[ActionItem]:
            if history_type == "+":
                items = ActionItemFactory.build_batch(count, visit=visit, owner="Manager")
                changes = [Change(obj=item) for item in items]
            else:
                items = ActionItemFactory.create_batch(count, visit=visit, owner="Deputy")
                changes = [edited(item, owner="Manager") for item in items]
            record_changes(changes, user=manager, reason="Plan agreed")
            return items

        (alone,) = write(1)
        first, second = write(2)
        assert history_values(alone) == history_values(first) == history_values(second)
        assert history_values(alone)["history_user_id"] == manager.pk
        assert history_values(alone)["history_change_reason"] == "Plan agreed"
        assert history_values(alone)["history_type"] == history_type

    def test_a_records_own_reason_is_used_for_that_record_only(self, manager):
        own, other = ActionItemFactory.create_batch(2)
        changes = [edited(own, owner="A"), edited(other, owner="B")]
        stamp(own, user=manager, reason="Corrected after the provider's reply")
        record_changes(changes, user=manager, reason="Owners updated")
        assert latest_history(own).history_change_reason == "Corrected after the provider's reply"
        assert latest_history(other).history_change_reason == "Owners updated"

    @pytest.mark.parametrize("count", [1, 2])
    def test_an_own_reason_is_not_reused_by_a_later_write(self, count, manager):
        items = ActionItemFactory.create_batch(count)
        changes = [edited(item, owner="First") for item in items]
        for item in items:
            item._change_reason = "Own reason"
        record_changes(changes, user=manager, reason="First write")
        assert {latest_history(item).history_change_reason for item in items} == {"Own reason"}

        changes = [edited(item, owner="Second") for item in items]
        record_changes(changes, user=manager, reason="Second write")
        assert {latest_history(item).history_change_reason for item in items} == {"Second write"}
        assert not any(hasattr(item, "_change_reason") for item in items)

    def test_several_models_are_written_in_one_call(self, manager):
        provider = ProviderFactory.build(company_number="01234567")
        setting = SettingFactory.build(provider=provider, urn="SC900001")
        visit = VisitFactory()
        changes = [
            Change(obj=provider),
            Change(obj=setting),
            edited(visit, findings="Seen by the registered manager"),
        ]
        created, updated = record_changes(changes, user=manager, reason="Imported from a.csv")
        assert (created, updated) == ([provider, setting], [visit])
        assert Setting.objects.get(urn="SC900001").provider == provider
        assert Visit.objects.get(pk=visit.pk).findings == "Seen by the registered manager"
        for obj, kind in ((provider, "+"), (setting, "+"), (visit, "~")):
            row = latest_history(obj)
            assert (row.history_type, row.history_user, row.history_change_reason) == (
                kind,
                manager,
                "Imported from a.csv",
            )
        assert latest_history(setting).provider_id == provider.pk


class TestRecordDelete:
    def test_a_deletion_leaves_a_history_row_with_who_and_why(self, manager):
        item = ActionItemFactory()
        pk = item.pk
        record_delete(item, user=manager, reason="Entered twice")
        assert not ActionItem.objects.filter(pk=pk).exists()
        row = ActionItem.history.filter(id=pk).order_by("-history_id").first()
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "-",
            manager,
            "Entered twice",
        )


def refuse_owner(*, changes, user, **options):
    return [
        Refusal(change, ValidationError({"owner": "Name a person at the provider."}))
        for change in changes
        if not change.obj.owner
    ]


class TestSaveOne:
    def test_the_check_sees_the_stored_record_and_the_write_gets_the_same_change(self, manager):
        item = ActionItemFactory(owner="Deputy")
        item.owner = "Manager"
        seen = {}

        def check(*, changes, user, **options):
            seen["check"] = (changes[0].old("owner"), changes[0].new("owner"), user, options)
            return []

        def write(*, changes, user, reason, **options):
            seen["write"] = (changes[0].obj, reason, options)

        saved = save_one(
            item, check=check, write=write, user=manager, reason="Owner", today="a day"
        )
        assert saved is item
        assert seen["check"] == ("Deputy", "Manager", manager, {"today": "a day"})
        assert seen["write"] == (item, "Owner", {"today": "a day"})

    def test_a_refused_change_raises_by_field_and_writes_nothing(self, manager):
        item = ActionItemFactory(owner="Deputy")
        item.owner = ""
        written = []

        with pytest.raises(Refused) as caught:
            save_one(
                item,
                check=refuse_owner,
                write=lambda **kwargs: written.append(kwargs),
                user=manager,
                reason="Owner",
            )
        assert caught.value.message_dict == {"owner": ["Name a person at the provider."]}
        assert written == []
        assert ActionItem.objects.get(pk=item.pk).owner == "Deputy"

    def test_check_one_raises_the_same_and_writes_nothing(self, manager):
        item = ActionItemFactory(owner="Deputy")
        item.owner = ""
        with pytest.raises(ValidationError) as caught:
            check_one(item, check=refuse_owner, user=manager)
        assert caught.value.message_dict == {"owner": ["Name a person at the provider."]}
        assert ActionItem.objects.get(pk=item.pk).owner == "Deputy"
        item.owner = "Manager"
        check_one(item, check=refuse_owner, user=manager)  # no error

    def test_change_for_reads_the_stored_record(self):
        item = ActionItemFactory(owner="Deputy")
        item.owner = "Manager"
        change = change_for(item, context={"row": 3})
        assert (change.old("owner"), change.new("owner"), change.context) == (
            "Deputy",
            "Manager",
            {"row": 3},
        )
        assert change_for(ActionItemFactory.build()).is_new


class TestLogWrite:
    def test_one_line_names_the_event_the_user_and_the_counts(self, manager, caplog):
        logger = logging.getLogger("registers.tests")
        with caplog.at_level(logging.INFO, logger="registers.tests"):
            log_write(logger, "visits.written", user=manager, created=2, updated=1)
            log_write(logger, "daily.run", user=None, applied=0)
        assert [r.getMessage() for r in caplog.records] == [
            "visits.written by t_manager created=2 updated=1",
            "daily.run by system applied=0",
        ]
        assert caplog.records[0].facts == {"created": 2, "updated": 1}


class Calls:
    """A queue handler that records each run."""

    def __init__(self, result=None):
        self.runs: list[set] = []
        self.result = result

    def __call__(self, *, items, unit):
        self.runs.append(set(items))
        return self.result


class Tally:
    def __init__(self, count: int):
        self.count = count

    def merge(self, other: "Tally") -> None:
        self.count += other.count


class TestWriteUnit:
    def test_a_nested_unit_joins_the_outer_one(self, manager, qa1):
        with write_unit(user=manager) as outer, write_unit(user=qa1) as inner:
            assert inner is outer
        assert outer.user == manager

    def test_queued_work_runs_once_with_every_item_before_the_outer_unit_closes(self, manager):
        handler = Calls()
        with write_unit(user=manager) as unit:
            unit.queue("monitoring", [1, 2], handler)
            with write_unit(user=manager) as inner:
                inner.queue("monitoring", [2, 3], handler)
            assert handler.runs == []  # the inner unit closing runs nothing
            unit.queue("monitoring", [4], handler)
        assert handler.runs == [{1, 2, 3, 4}]

    def test_work_queued_by_a_handler_runs_too(self, manager):
        follow_up = Calls()

        def first(*, items, unit):
            unit.queue("follow-up", [f"visit for {item}" for item in items], follow_up)

        with write_unit(user=manager) as unit:
            unit.queue("monitoring", ["setting 1"], first)
        assert follow_up.runs == [{"visit for setting 1"}]

    def test_queued_work_does_not_run_when_the_unit_fails(self, manager):
        handler = Calls()
        with pytest.raises(RuntimeError), write_unit(user=manager) as unit:
            unit.queue("monitoring", [1], handler)
            raise RuntimeError("refused")
        assert handler.runs == []

    def test_the_results_of_a_queue_are_on_the_unit_after_it_closes(self, manager):
        with write_unit(user=manager) as unit:
            unit.queue("monitoring", [1, 2], Calls(result="2 settings checked"))
            unit.queue("nothing", [], Calls(result="never"))
        assert unit.results == {"monitoring": "2 settings checked"}

    def test_results_of_a_key_that_runs_again_are_merged(self, manager):
        def checks(*, items, unit):
            if "again" not in items:
                unit.queue("monitoring", ["again"], checks)
            return Tally(len(items))

        with write_unit(user=manager) as unit:
            unit.queue("monitoring", [1, 2], checks)
        assert unit.results["monitoring"].count == 3

    def test_writes_in_a_failed_unit_roll_back_together(self, manager):
        first, second = ActionItemFactory.create_batch(2, owner="Deputy")
        with pytest.raises(RuntimeError), write_unit(user=manager):
            record_changes([edited(first, owner="A")], user=manager, reason="One")
            with write_unit(user=manager):
                record_changes([edited(second, owner="B")], user=manager, reason="Two")
            raise RuntimeError("the request failed afterwards")
        assert set(ActionItem.objects.values_list("owner", flat=True)) == {"Deputy"}

    def test_after_commit_callbacks_run_once_the_outer_unit_commits(
        self, manager, django_capture_on_commit_callbacks
    ):
        sent = []
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            write_unit(user=manager),
            write_unit(user=manager) as inner,
        ):
            inner.after_commit(lambda: sent.append("digest"))
            assert sent == []
        assert sent == ["digest"] and len(callbacks) == 1

    def test_after_commit_callbacks_do_not_run_when_the_outer_unit_rolls_back(
        self, manager, django_capture_on_commit_callbacks
    ):
        sent = []
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            write_unit(user=manager),
        ):
            with write_unit(user=manager) as inner:
                inner.after_commit(lambda: sent.append("digest"))
            raise RuntimeError("the request failed afterwards")
        assert callbacks == [] and sent == []

    def test_a_failed_inner_unit_drops_only_its_own_callbacks(
        self, manager, django_capture_on_commit_callbacks
    ):
        sent = []
        with django_capture_on_commit_callbacks(execute=True), write_unit(user=manager) as unit:
            unit.after_commit(lambda: sent.append("outer"))
            with pytest.raises(RuntimeError), write_unit(user=manager) as inner:
                inner.after_commit(lambda: sent.append("inner"))
                raise RuntimeError("one row refused")
        assert sent == ["outer"]


class TestLinkParents:
    def test_a_foreign_key_points_at_a_parent_saved_after_it_was_assigned(self):
        provider = ProviderFactory.build()
        setting = SettingFactory.build(provider=provider)
        provider.save()
        assert setting.provider_id is None
        link_parents(setting)
        assert setting.provider_id == provider.pk

    def test_a_record_without_parents_in_hand_is_left_as_it_is(self):
        provider = ProviderFactory()
        setting = Setting(urn="SC900001", name="Home", provider_id=provider.pk)
        link_parents(setting)
        assert setting.provider_id == provider.pk
        orphan = Setting(urn="SC900002", name="Home")
        link_parents(orphan)
        assert orphan.provider_id is None

    def test_an_unsaved_parent_leaves_the_key_empty(self):
        setting = SettingFactory.build(provider=Provider(name="Not saved yet"))
        link_parents(setting)
        assert setting.provider_id is None
