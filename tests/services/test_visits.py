"""The visits service: who may plan, lead and change a visit, the lifecycle
Planned -> Completed -> Report issued (or Planned -> Cancelled), what each
status needs, and the lead's permission moving with the visit."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from registers import roles
from registers.changes import Change, change_from
from registers.models import Visit, VisitStatus
from registers.services.visits import (
    allowed_statuses,
    lead_officer_choices,
    visit_cancel,
    visit_complete,
    visit_issue_report,
    visit_plan,
    visit_save,
    visits_check,
    visits_issue_reports,
    visits_write,
)
from tests.factories import ProviderFactory, SettingFactory, VisitFactory, today

pytestmark = pytest.mark.django_db

TODAY = today()
VISITED = TODAY - timedelta(days=4)

# What each status carries, for a visit recorded in it.
FIELDS = {
    "planned": {},
    "completed": {"actual_date": VISITED, "rag": "amber", "findings": "Staffing thin at night"},
    "report_issued": {
        "actual_date": VISITED,
        "rag": "amber",
        "findings": "Staffing thin at night",
        "report_issued_on": TODAY,
    },
    "cancelled": {"cancellation_reason": "The home closed"},
}


def messages(refusals) -> list[tuple[str | None, str]]:
    return [message for refusal in refusals for message in refusal.messages()]


def check(change: Change, user) -> list[tuple[str | None, str]]:
    return messages(visits_check(changes=[change], user=user, today=TODAY))


def new(user, **values) -> list[tuple[str | None, str]]:
    visit = VisitFactory.build(setting=SettingFactory(), planned_date=TODAY, **values)
    return check(Change(obj=visit), user)


def moved(visit: Visit, user, **values) -> list[tuple[str | None, str]]:
    change = change_from(visit)
    for name, value in values.items():
        setattr(visit, name, value)
    return check(change, user)


def stored(visit: Visit) -> Visit:
    return Visit.objects.get(pk=visit.pk)


def fresh(user):
    """The user again, without permissions cached from earlier checks."""
    return get_user_model().objects.get(pk=user.pk)


def reasons(visit: Visit) -> list[str]:
    return list(visit.history.values_list("history_change_reason", flat=True))


class TestLifecycle:
    @pytest.mark.parametrize(
        ("start", "end"),
        [
            ("planned", "planned"),
            ("planned", "completed"),
            ("planned", "cancelled"),
            ("completed", "completed"),
            ("completed", "report_issued"),
            ("report_issued", "report_issued"),
            ("cancelled", "cancelled"),
        ],
    )
    def test_an_existing_visit_may_make_these_moves(self, start, end, qa1):
        visit = VisitFactory(lead_officer=qa1, status=start, **FIELDS[start])
        assert moved(visit, qa1, status=end, **FIELDS[end]) == []

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            ("completed", "cancelled"),
            ("report_issued", "completed"),
            ("report_issued", "cancelled"),
            ("cancelled", "planned"),
            ("cancelled", "report_issued"),
        ],
    )
    def test_and_no_others(self, start, end, qa1):
        visit = VisitFactory(lead_officer=qa1, status=start, **FIELDS[start])
        assert (
            "status",
            f"A visit cannot go from {VisitStatus(start).label} to {VisitStatus(end).label}.",
        ) in moved(visit, qa1, status=end, **FIELDS[end])

    def test_the_statuses_offered_follow_the_lifecycle(self):
        assert allowed_statuses(None) == tuple(VisitStatus.values)
        assert allowed_statuses("planned") == ("planned", "completed", "cancelled")
        assert allowed_statuses("completed") == ("completed", "report_issued")
        assert allowed_statuses("report_issued") == ("report_issued",)
        assert allowed_statuses("cancelled") == ("cancelled",)

    @pytest.mark.parametrize("status", ["planned", "completed", "report_issued", "cancelled"])
    def test_a_new_visit_may_be_recorded_in_any_status_with_its_fields(self, status, manager):
        assert new(manager, lead_officer=manager, status=status, **FIELDS[status]) == []

    def test_a_back_filled_visit_is_saved_with_its_history(self, qa1):
        visit = VisitFactory.build(
            setting=SettingFactory(),
            planned_date=VISITED,
            lead_officer=qa1,
            status="report_issued",
            **FIELDS["report_issued"],
        )
        visit_save(visit=visit, user=qa1, reason="Entered from the paper file", today=TODAY)
        row = stored(visit).history.get()
        assert (row.status, row.history_user, row.history_change_reason) == (
            "report_issued",
            qa1,
            "Entered from the paper file",
        )

    def test_a_new_visit_still_needs_what_its_status_needs(self, manager):
        assert new(manager, lead_officer=manager, status="report_issued") == [
            ("actual_date", "Give the date of the visit to complete it."),
            ("rag", "Give a RAG outcome to complete the visit."),
            ("findings", "Record the findings to complete the visit."),
            ("report_issued_on", "Give the date the report was issued."),
        ]


class TestWhatEachStatusNeeds:
    def test_a_report_is_issued_on_or_after_the_visit(self, qa1):
        visit = VisitFactory(lead_officer=qa1, status="completed", **FIELDS["completed"])
        assert moved(
            visit, qa1, status="report_issued", report_issued_on=VISITED - timedelta(days=1)
        ) == [("report_issued_on", "The report cannot be issued before the visit.")]
        visit = stored(visit)
        assert moved(visit, qa1, status="report_issued", report_issued_on=VISITED) == []

    def test_a_cancelled_visit_gives_its_reason(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        assert moved(visit, qa1, status="cancelled", cancellation_reason="  ") == [
            ("cancellation_reason", "Give the reason the visit was cancelled.")
        ]

    def test_a_planned_visit_has_no_visit_date(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        assert moved(visit, qa1, actual_date=VISITED) == [
            ("actual_date", "A planned visit has no visit date yet: mark it completed.")
        ]

    def test_a_completed_visit_keeps_its_findings(self, qa1):
        visit = VisitFactory(lead_officer=qa1, status="completed", **FIELDS["completed"])
        assert moved(visit, qa1, findings="", rag="") == [
            ("rag", "Give a RAG outcome to complete the visit."),
            ("findings", "Record the findings to complete the visit."),
        ]

    def test_a_visit_is_to_a_setting_or_a_providers_office(self, manager):
        visit = VisitFactory.build(setting=None, planned_date=TODAY, lead_officer=manager)
        assert check(Change(obj=visit), manager) == [
            ("setting", "Choose the setting visited, or the provider's office.")
        ]
        visit.provider = ProviderFactory()
        assert check(Change(obj=visit), manager) == []

    def test_a_setting_created_in_the_same_write_counts(self, manager):
        visit = VisitFactory.build(setting=SettingFactory.build(), lead_officer=manager)
        assert check(Change(obj=visit), manager) == []


class TestWhoMayPlanAndChange:
    @pytest.mark.parametrize("role", ["support", "officer", "auditor"])
    def test_only_qa_officers_and_managers_plan_visits(self, role, request):
        user = request.getfixturevalue(role)
        assert new(user) == [(None, "You may not plan visits.")]

    def test_a_qa_officer_changes_only_the_visits_they_lead(self, qa1, qa2):
        theirs = VisitFactory(lead_officer=qa2)
        assert moved(theirs, qa1, kind="unannounced") == [
            (None, "This is not a visit you may change.")
        ]
        mine = VisitFactory(lead_officer=qa1)
        assert moved(mine, qa1, kind="unannounced") == []

    def test_saving_records_who_and_a_default_reason(self, qa1):
        visit = VisitFactory.build(setting=SettingFactory(), lead_officer=qa1)
        visit_save(visit=visit, user=qa1)
        visit.kind = "unannounced"
        visit_save(visit=visit, user=qa1)
        rows = list(stored(visit).history.values_list("history_user", "history_change_reason"))
        assert rows == [(qa1.pk, "Visit saved"), (qa1.pk, "Visit planned")]

    def test_a_refused_change_writes_nothing(self, qa1, qa2):
        visit = VisitFactory(lead_officer=qa2)
        visit.kind = "unannounced"
        with pytest.raises(ValidationError, match="not a visit you may change"):
            visit_save(visit=visit, user=qa1)
        assert stored(visit).kind == "announced"
        assert visit.history.count() == 1


class TestLeadOfficer:
    def test_a_qa_officer_may_lead_their_own_new_visit(self, qa1):
        assert new(qa1, lead_officer=qa1) == []

    def test_a_qa_officer_may_not_give_a_new_visit_to_a_colleague(self, qa1, qa2):
        assert new(qa1, lead_officer=qa2) == [
            ("lead_officer", "Only managers may assign a visit to another officer.")
        ]

    def test_a_manager_assigns_any_qa_officer_or_manager(self, manager, qa2, make_user):
        colleague = make_user(roles.MANAGER, username="colleague")
        assert new(manager, lead_officer=qa2) == []
        assert new(manager, lead_officer=colleague) == []

    @pytest.mark.parametrize("role", [roles.COMMISSIONING_OFFICER, roles.BUSINESS_SUPPORT, None])
    def test_only_qa_officers_and_managers_lead(self, role, manager, make_user):
        person = make_user(role, username="not_qa")
        assert new(manager, lead_officer=person) == [
            ("lead_officer", f"{person} is not an active QA officer or manager.")
        ]

    def test_an_inactive_officer_is_not_made_lead(self, manager, make_user):
        left = make_user(roles.QA_OFFICER, username="left", is_active=False)
        assert new(manager, lead_officer=left) == [
            ("lead_officer", f"{left} is not an active QA officer or manager.")
        ]

    def test_a_lead_who_has_since_left_stays_on_other_changes(self, manager, make_user):
        left = make_user(roles.QA_OFFICER, username="left")
        visit = VisitFactory(lead_officer=left)
        left.is_active = False
        left.save()
        assert moved(visit, manager, kind="unannounced") == []

    def test_a_qa_officer_is_offered_only_themselves(self, qa1, qa2, manager, officer):
        assert list(lead_officer_choices(user=qa1)) == [qa1]

    def test_and_the_current_lead_of_the_visit(self, qa1, qa2):
        visit = VisitFactory(lead_officer=qa2)
        assert set(lead_officer_choices(user=qa1, visit_id=visit.pk)) == {qa1, qa2}
        assert set(lead_officer_choices(user=qa1, visit_id=str(visit.pk))) == {qa1, qa2}
        assert set(lead_officer_choices(user=qa1, visit_id="not-a-number")) == {qa1}

    def test_a_current_lead_who_has_left_is_still_shown(self, manager, make_user):
        left = make_user(roles.QA_OFFICER, username="left")
        visit = VisitFactory(lead_officer=left)
        left.is_active = False
        left.save()
        assert left in lead_officer_choices(user=manager, visit_id=visit.pk)
        assert left not in lead_officer_choices(user=manager)

    def test_a_manager_is_offered_every_active_qa_officer_and_manager(
        self, manager, qa1, qa2, officer, support, make_user
    ):
        other_manager = make_user(roles.MANAGER, username="other_manager")
        make_user(roles.QA_OFFICER, username="left", is_active=False)
        assert set(lead_officer_choices(user=manager)) == {manager, other_manager, qa1, qa2}

    def test_someone_who_may_not_lead_is_offered_no_one(self, support, qa1):
        assert list(lead_officer_choices(user=support)) == []

    def test_the_choices_and_the_check_agree(self, manager, qa1, qa2, officer, make_user):
        make_user(roles.QA_OFFICER, username="left", is_active=False)
        everyone = get_user_model().objects.all()
        for user in (manager, qa1):
            offered = set(lead_officer_choices(user=user))
            accepted = {person for person in everyone if new(user, lead_officer=person) == []}
            assert offered == accepted, user


class TestPlanCompleteIssueCancel:
    def test_a_planned_visit_is_led_by_whoever_plans_it(self, qa1):
        visit = visit_plan(user=qa1, planned_date=TODAY, setting=SettingFactory())
        visit = stored(visit)
        assert (visit.lead_officer, visit.status, visit.reason) == (qa1, "planned", "routine")
        row = visit.history.get()
        assert (row.history_user, row.history_change_reason) == (qa1, "Visit planned")
        assert fresh(qa1).has_perm("registers.change_visit", visit)

    def test_a_manager_plans_a_visit_for_an_officer(self, manager, qa1):
        visit = visit_plan(
            user=manager,
            planned_date=TODAY,
            lead_officer=qa1,
            reason="concern",
            setting=SettingFactory(),
        )
        visit = stored(visit)
        assert (visit.lead_officer, visit.reason) == (qa1, "concern")
        assert fresh(qa1).has_perm("registers.change_visit", visit)

    def test_a_qa_officer_may_not_plan_for_a_colleague(self, qa1, qa2):
        with pytest.raises(ValidationError) as caught:
            visit_plan(user=qa1, planned_date=TODAY, lead_officer=qa2, setting=SettingFactory())
        assert caught.value.message_dict == {
            "lead_officer": ["Only managers may assign a visit to another officer."]
        }
        assert not Visit.objects.exists()

    def test_completing_records_the_outcome(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        visit_complete(
            visit=visit,
            user=qa1,
            actual_date=VISITED,
            rag="red",
            findings="Missing-from-care episodes not reported",
            recommendations="Report every episode within 24 hours",
            today=TODAY,
        )
        visit = stored(visit)
        assert (visit.status, visit.actual_date, visit.rag, visit.recommendations) == (
            "completed",
            VISITED,
            "red",
            "Report every episode within 24 hours",
        )
        row = visit.history.first()
        assert (row.history_user, row.history_change_reason) == (qa1, "Visit completed")

    def test_issuing_the_report_dates_it_today_by_default(self, qa1):
        visit = VisitFactory(lead_officer=qa1, status="completed", **FIELDS["completed"])
        visit_issue_report(visit=visit, user=qa1)
        assert stored(visit).report_issued_on == today()
        assert reasons(visit)[0] == "Visit report issued"

    def test_a_report_cannot_be_issued_for_a_visit_not_completed(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        with pytest.raises(ValidationError) as caught:
            visit_issue_report(visit=visit, user=qa1, issued_on=TODAY)
        assert "Planned to Report issued" in caught.value.message_dict["status"][0]
        assert stored(visit).status == "planned"

    def test_cancelling_records_the_reason_in_the_history(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        visit_cancel(visit=visit, user=qa1, reason="The home closed")
        visit = stored(visit)
        assert (visit.status, visit.cancellation_reason) == ("cancelled", "The home closed")
        row = visit.history.first()
        assert (row.history_user, row.history_change_reason) == (
            qa1,
            "Visit cancelled: The home closed",
        )

    def test_a_completed_visit_cannot_be_cancelled(self, qa1):
        visit = VisitFactory(lead_officer=qa1, status="completed", **FIELDS["completed"])
        with pytest.raises(ValidationError, match="cannot go from Completed to Cancelled"):
            visit_cancel(visit=visit, user=qa1, reason="Too late")
        assert stored(visit).status == "completed"


class TestIssueReportsInBulk:
    def test_only_completed_visits_are_issued_and_counted(self, manager, qa1):
        completed = VisitFactory.create_batch(
            2, lead_officer=qa1, status="completed", **FIELDS["completed"]
        )
        planned = VisitFactory(lead_officer=qa1)
        issued = VisitFactory(lead_officer=qa1, status="report_issued", **FIELDS["report_issued"])
        count = visits_issue_reports(visits=[*completed, planned, issued], user=manager)
        assert count == 2
        for visit in completed:
            assert stored(visit).status == "report_issued"
            row = visit.history.first()
            assert (row.history_user, row.history_change_reason) == (
                manager,
                "Visit report issued",
            )
        assert stored(planned).status == "planned"
        assert stored(issued).history.count() == 1

    def test_one_refused_visit_issues_none(self, qa1, qa2):
        mine = VisitFactory(lead_officer=qa1, status="completed", **FIELDS["completed"])
        theirs = VisitFactory(lead_officer=qa2, status="completed", **FIELDS["completed"])
        with pytest.raises(ValidationError, match="not a visit you may change"):
            visits_issue_reports(visits=[mine, theirs], user=qa1)
        assert {stored(mine).status, stored(theirs).status} == {"completed"}


class TestPermissionMoves:
    def test_several_visits_handed_to_another_officer_move_each_permission(self, manager, qa1, qa2):
        visits = VisitFactory.create_batch(3, lead_officer=qa1)
        changes = []
        for visit in visits:
            changes.append(change_from(visit))
            visit.lead_officer = qa2
        assert visits_check(changes=changes, user=manager, today=TODAY) == []
        visits_write(changes=changes, user=manager, reason="Caseload rebalanced")
        qa1, qa2 = fresh(qa1), fresh(qa2)
        for visit in visits:
            assert stored(visit).lead_officer == qa2
            assert not qa1.has_perm("registers.change_visit", visit)
            assert qa2.has_perm("registers.change_visit", visit)
            row = visit.history.first()
            assert (row.history_user, row.history_change_reason, row.lead_officer_id) == (
                manager,
                "Caseload rebalanced",
                qa2.pk,
            )

    def test_a_visit_left_without_a_lead_leaves_no_one_with_permission(self, manager, qa1):
        visit = VisitFactory(lead_officer=qa1)
        visit.lead_officer = None
        visit_save(visit=visit, user=manager)
        assert not fresh(qa1).has_perm("registers.change_visit", visit)

    def test_other_changes_leave_the_permission_where_it_is(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        visit.kind = "unannounced"
        visit_save(visit=visit, user=qa1)
        assert fresh(qa1).has_perm("registers.change_visit", visit)
