"""Action plans: whoever may change a visit may add to and change its action
plan; marking an action done records the day it was completed; an action is
overdue when its due date has passed and it is not done."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from registers.changes import Change, change_from
from registers.models import ActionItem, ActionStatus
from registers.services.action_items import (
    action_item_save,
    action_items_check,
    action_items_mark_done,
    action_items_write,
)
from registers.services.visits import visit_save
from tests.factories import ActionItemFactory, VisitFactory, today

pytestmark = pytest.mark.django_db

TODAY = today()
LAST_WEEK = TODAY - timedelta(days=7)


def messages(refusals) -> list[tuple[str | None, str]]:
    return [message for refusal in refusals for message in refusal.messages()]


def check(change: Change, user) -> list[tuple[str | None, str]]:
    return messages(action_items_check(changes=[change], user=user, today=TODAY))


def edit(item: ActionItem, user, **values) -> list[tuple[str | None, str]]:
    change = change_from(item)
    for name, value in values.items():
        setattr(item, name, value)
    return check(change, user)


def action(visit, **values) -> ActionItem:
    return ActionItem(
        **{
            "visit": visit,
            "description": "Update the missing-from-care protocol",
            "owner": "Registered manager",
            "due_date": TODAY + timedelta(days=28),
        }
        | values
    )


def stored(item: ActionItem) -> ActionItem:
    return ActionItem.objects.get(pk=item.pk)


class TestWhoMayAddAndChange:
    def test_a_qa_officer_adds_actions_to_a_visit_they_lead(self, qa1):
        item = action_item_save(item=action(VisitFactory(lead_officer=qa1)), user=qa1)
        row = stored(item).history.get()
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            qa1,
            "Action added",
        )

    def test_but_not_to_another_officers_visit(self, qa1, qa2):
        visit = VisitFactory(lead_officer=qa2)
        assert check(Change(obj=action(visit)), qa1) == [
            ("visit", "This is not a visit you may change.")
        ]
        with pytest.raises(ValidationError):
            action_item_save(item=action(visit), user=qa1)
        assert not ActionItem.objects.exists()

    def test_a_qa_officer_changes_actions_only_on_visits_they_lead(self, qa1, qa2):
        mine = ActionItemFactory(visit=VisitFactory(lead_officer=qa1))
        theirs = ActionItemFactory(visit=VisitFactory(lead_officer=qa2))
        assert edit(mine, qa1, owner="Deputy manager") == []
        assert edit(theirs, qa1, owner="Deputy manager") == [
            (None, "This is not an action item you may change.")
        ]

    def test_a_change_records_who_and_why(self, qa1):
        item = ActionItemFactory(visit=VisitFactory(lead_officer=qa1))
        item.owner = "Deputy manager"
        action_item_save(item=item, user=qa1)
        assert stored(item).owner == "Deputy manager"
        row = item.history.first()
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "~",
            qa1,
            "Action changed",
        )

    def test_an_action_cannot_be_moved_to_another_officers_visit(self, qa1, qa2):
        mine = VisitFactory(lead_officer=qa1)
        item = ActionItemFactory(visit=mine)
        item.visit = VisitFactory(lead_officer=qa2)
        with pytest.raises(ValidationError) as caught:
            action_item_save(item=item, user=qa1)
        assert caught.value.message_dict == {"visit": ["This is not a visit you may change."]}
        assert stored(item).visit == mine

    def test_an_action_of_another_officers_visit_cannot_be_taken_over(self, qa1, qa2):
        item = ActionItemFactory(visit=VisitFactory(lead_officer=qa2))
        assert edit(item, qa1, visit=VisitFactory(lead_officer=qa1)) == [
            (None, "This is not an action item you may change.")
        ]

    def test_a_manager_changes_any_visits_actions(self, manager, qa1, qa2):
        item = ActionItemFactory(visit=VisitFactory(lead_officer=qa1))
        assert edit(item, manager, visit=VisitFactory(lead_officer=qa2)) == []

    @pytest.mark.parametrize("role", ["support", "officer", "auditor"])
    def test_roles_that_do_not_change_visits_do_not_add_actions(self, role, request, qa1):
        user = request.getfixturevalue(role)
        visit = VisitFactory(lead_officer=qa1)
        assert check(Change(obj=action(visit)), user) == [
            ("visit", "This is not a visit you may change.")
        ]

    def test_an_action_belongs_to_a_visit(self, manager):
        assert check(Change(obj=action(None)), manager) == [
            ("visit", "Choose the visit whose action plan this belongs to.")
        ]

    def test_a_visit_planned_in_the_same_write_counts(self, manager):
        visit = VisitFactory.build(setting=None)
        assert check(Change(obj=action(visit)), manager) == []

    def test_the_officer_loses_the_plan_when_the_visit_is_handed_on(self, manager, qa1, qa2):
        visit = VisitFactory(lead_officer=qa1)
        item = ActionItemFactory(visit=visit)
        visit.lead_officer = qa2
        visit_save(visit=visit, user=manager)
        assert edit(item, qa1, owner="Deputy manager") == [
            (None, "This is not an action item you may change.")
        ]
        assert edit(stored(item), qa2, owner="Deputy manager") == []


class TestCompletion:
    def test_marking_done_records_today(self, qa1):
        item = ActionItemFactory(visit=VisitFactory(lead_officer=qa1))
        assert edit(item, qa1, status=ActionStatus.DONE) == []
        assert item.completed_on == TODAY

    def test_a_given_completion_date_is_kept(self, qa1):
        item = ActionItemFactory(visit=VisitFactory(lead_officer=qa1))
        assert edit(item, qa1, status=ActionStatus.DONE, completed_on=LAST_WEEK) == []
        assert item.completed_on == LAST_WEEK

    def test_saving_a_done_action_again_keeps_its_date(self, qa1):
        item = ActionItemFactory(
            visit=VisitFactory(lead_officer=qa1), status="done", completed_on=LAST_WEEK
        )
        assert edit(item, qa1, owner="Deputy manager") == []
        assert item.completed_on == LAST_WEEK

    def test_an_action_cannot_be_completed_in_the_future(self, qa1):
        item = ActionItemFactory(visit=VisitFactory(lead_officer=qa1))
        item.status = ActionStatus.DONE
        item.completed_on = TODAY + timedelta(days=1)
        with pytest.raises(ValidationError) as caught:
            action_item_save(item=item, user=qa1)
        assert caught.value.message_dict == {
            "completed_on": ["An action cannot be completed in the future."]
        }
        assert stored(item).status == ActionStatus.OPEN

    def test_a_new_action_may_be_recorded_done(self, qa1):
        item = action(VisitFactory(lead_officer=qa1), status=ActionStatus.DONE)
        action_item_save(item=item, user=qa1)
        assert stored(item).completed_on == today()


class TestMarkDone:
    def test_open_actions_are_done_today_and_counted(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        open_, in_progress = (
            ActionItemFactory(visit=visit),
            ActionItemFactory(visit=visit, status=ActionStatus.IN_PROGRESS),
        )
        done = ActionItemFactory(visit=visit, status=ActionStatus.DONE, completed_on=LAST_WEEK)
        count = action_items_mark_done(items=[open_, in_progress, done], user=qa1, today=TODAY)
        assert count == 2
        for item in (open_, in_progress):
            item = stored(item)
            assert (item.status, item.completed_on) == (ActionStatus.DONE, TODAY)
            row = item.history.first()
            assert (row.history_user, row.history_change_reason) == (qa1, "Marked done")
        assert stored(done).completed_on == LAST_WEEK
        assert done.history.count() == 1

    def test_nothing_left_to_do_writes_nothing(self, qa1):
        done = ActionItemFactory(
            visit=VisitFactory(lead_officer=qa1), status=ActionStatus.DONE, completed_on=TODAY
        )
        assert action_items_mark_done(items=[done], user=qa1) == 0
        assert done.history.count() == 1

    def test_one_action_the_user_may_not_change_marks_none(self, qa1, qa2):
        mine = ActionItemFactory(visit=VisitFactory(lead_officer=qa1))
        theirs = ActionItemFactory(visit=VisitFactory(lead_officer=qa2))
        with pytest.raises(ValidationError, match="not an action item you may change"):
            action_items_mark_done(items=[mine, theirs], user=qa1)
        assert set(ActionItem.objects.values_list("status", flat=True)) == {ActionStatus.OPEN}


class TestBulkWrite:
    def test_several_actions_are_written_with_who_and_why(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        changes = [Change(obj=action(visit, description=f"Action {n}")) for n in range(3)]
        assert action_items_check(changes=changes, user=qa1) == []
        action_items_write(changes=changes, user=qa1, reason="Action plan agreed")
        rows = ActionItem.history.filter(visit=visit)
        assert rows.count() == 3
        assert set(rows.values_list("history_type", "history_user", "history_change_reason")) == {
            ("+", qa1.pk, "Action plan agreed")
        }


class TestOverdue:
    def test_the_filter_and_the_flag_agree(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        yesterday = TODAY - timedelta(days=1)
        cases = {
            "open, past due": (ActionStatus.OPEN, yesterday, True),
            "in progress, past due": (ActionStatus.IN_PROGRESS, yesterday, True),
            "done, past due": (ActionStatus.DONE, yesterday, False),
            "open, due today": (ActionStatus.OPEN, TODAY, False),
            "open, due later": (ActionStatus.OPEN, TODAY + timedelta(days=1), False),
        }
        items = {
            name: ActionItemFactory(visit=visit, description=name, status=status, due_date=due)
            for name, (status, due, _) in cases.items()
        }
        expected = {name for name, (_, _, overdue) in cases.items() if overdue}
        overdue = set(ActionItem.objects.overdue(today=TODAY).values_list("description", flat=True))
        flagged = {
            item.description
            for item in ActionItem.objects.with_overdue(today=TODAY)
            if item.is_overdue
        }
        assert overdue == flagged == expected
        assert len(items) == len(cases)
