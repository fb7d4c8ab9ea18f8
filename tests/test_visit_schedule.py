"""The QA visit schedule: next visit due, the visit lifecycle, concerns, the calendar feed."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from registers.dates import add_months
from registers.models import Concern, ConcernStage, Setting, Visit, VisitStatus
from registers.selectors.settings import with_next_visit
from registers.selectors.visits import calendar_month, settings_due_for_visit
from registers.services.calendar_feeds import calendar_feed_issue, calendar_feed_revoke
from registers.services.concerns import concern_close, concern_escalate
from registers.services.daily import daily_jobs_run
from registers.services.visits import (
    visit_cancel,
    visit_complete,
    visit_issue_report,
    visit_save,
)
from tests.factories import (
    ActionItemFactory,
    ConcernFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    VisitFactory,
    today,
)

pytestmark = pytest.mark.django_db

LAST_VISIT = date(2026, 1, 15)


def in_use_setting(rating=None, visited=LAST_VISIT):
    setting = SettingFactory(provider=ProviderFactory(approval_status="approved"))
    if rating:
        InspectionFactory(
            setting=setting, overall=rating, inspection_date=date(2025, 6, 1), publication_date=None
        )
    if visited:
        VisitFactory(
            setting=setting,
            status=VisitStatus.COMPLETED,
            planned_date=visited,
            actual_date=visited,
            rag="green",
            findings="Fine",
        )
    return setting


def next_due(setting):
    return with_next_visit(Setting.objects.filter(pk=setting.pk)).get().next_visit_due


class TestNextVisitDue:
    @pytest.mark.parametrize(
        ("rating", "months"),
        [
            ("inadequate", 3),
            ("requires_improvement", 6),
            ("good", 12),
            ("outstanding", 18),
            (None, 6),
        ],
    )
    def test_interval_follows_the_rating(self, rating, months):
        assert next_due(in_use_setting(rating)) == add_months(LAST_VISIT, months)

    def test_an_open_concern_at_stage_two_brings_it_forward_to_a_month(self):
        setting = in_use_setting("outstanding")
        concern = ConcernFactory(setting=setting)
        assert next_due(setting) == add_months(LAST_VISIT, 18)  # stage 1: no change
        concern.stage = ConcernStage.MANAGER
        concern.save()
        assert next_due(setting) == add_months(LAST_VISIT, 1)
        concern.closed_on = today()
        concern.save()
        assert next_due(setting) == add_months(LAST_VISIT, 18)

    def test_a_concern_about_the_provider_counts_for_its_settings(self):
        setting = in_use_setting("good")
        ConcernFactory(setting=None, provider=setting.provider, stage=3)
        assert next_due(setting) == add_months(LAST_VISIT, 1)

    def test_intervals_are_configurable(self, settings):
        settings.NEXT_VISIT_MONTHS = {**settings.NEXT_VISIT_MONTHS, "good": 9}
        assert next_due(in_use_setting("good")) == add_months(LAST_VISIT, 9)

    def test_never_visited_is_due_now(self):
        assert next_due(in_use_setting("good", visited=None)) is None

    def test_due_list_puts_inadequate_first_and_skips_planned_and_unused(self):
        good = in_use_setting("good", visited=today() - timedelta(days=400))
        inadequate = in_use_setting("inadequate", visited=today() - timedelta(days=100))
        ri = in_use_setting("requires_improvement", visited=today() - timedelta(days=300))
        planned = in_use_setting("inadequate", visited=today() - timedelta(days=300))
        VisitFactory(setting=planned)
        not_in_use = SettingFactory(provider=ProviderFactory(approval_status="applicant"))
        rows = settings_due_for_visit(today=today())
        assert [row.setting for row in rows] == [inadequate, ri, good]
        assert not_in_use not in [row.setting for row in rows]
        assert all(row.overdue for row in rows)


class TestLifecycle:
    def test_completing_needs_date_rag_and_findings(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        with pytest.raises(ValidationError) as caught:
            visit_complete(visit=visit, user=qa1, actual_date=None, rag="", findings=" ")
        assert set(caught.value.message_dict) == {"actual_date", "rag", "findings"}

    def test_a_visit_cannot_be_completed_with_a_future_date(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        with pytest.raises(ValidationError) as caught:
            visit_complete(
                visit=visit,
                user=qa1,
                actual_date=today() + timedelta(days=1),
                rag="green",
                findings="Fine",
            )
        assert caught.value.message_dict["actual_date"] == [
            "A visit cannot be completed with a date in the future."
        ]

    def test_planned_completed_report_issued(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        visit_complete(visit=visit, user=qa1, actual_date=today(), rag="amber", findings="Ok")
        visit_issue_report(visit=visit, user=qa1)
        visit.refresh_from_db()
        assert visit.status == VisitStatus.REPORT_ISSUED
        reasons = list(visit.history.values_list("history_change_reason", flat=True))
        assert reasons[:2] == ["Visit report issued", "Visit completed"]

    def test_cancelling_needs_a_reason(self, qa1):
        visit = VisitFactory(lead_officer=qa1)
        with pytest.raises(ValidationError):
            visit_cancel(visit=visit, user=qa1, reason="")
        visit_cancel(visit=visit, user=qa1, reason="Provider closed the home")
        assert Visit.objects.get().status == VisitStatus.CANCELLED

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            ("planned", "report_issued"),
            ("cancelled", "completed"),
            ("report_issued", "planned"),
            ("completed", "planned"),
        ],
    )
    def test_other_moves_are_refused(self, start, end, qa1):
        visit = VisitFactory(
            lead_officer=qa1,
            status=start,
            actual_date=None if start == "planned" else today(),
            rag="green",
            findings="x",
            report_issued_on=today(),
            cancellation_reason="x",
        )
        visit.status = end
        visit.actual_date = today()
        with pytest.raises(ValidationError) as caught:
            visit_save(visit=visit, user=qa1)
        assert "cannot go from" in caught.value.message_dict["status"][0]

    def test_an_overdue_action_is_shown_red_on_the_visit_list(self, qa1, client_for):

        visit = VisitFactory(lead_officer=qa1)
        ActionItemFactory(visit=visit, due_date=today() - timedelta(days=1))
        ActionItemFactory(visit=visit, due_date=today() - timedelta(days=1), status="done")
        page = client_for(qa1).get(
            reverse("admin:registers_actionitem_changelist"), {"overdue": "yes"}
        )
        assert len(page.context["cl"].result_list) == 1
        assert b"bg-red-100" in page.content  # Unfold's danger label


class TestConcerns:
    def test_escalation_moves_stage_and_restarts_the_ten_days(self, manager):
        concern = ConcernFactory(
            raised_on=today() - timedelta(days=12), stage_started_on=today() - timedelta(days=12)
        )
        assert Concern.objects.stage_overdue(today=today()).filter(pk=concern.pk).exists()
        concern_escalate(concern=concern, user=manager, note="No reply to the practitioner")
        concern.refresh_from_db()
        assert (concern.stage, concern.stage_started_on) == (2, today())
        assert concern.stage_due_on == today() + timedelta(days=10)
        assert not Concern.objects.stage_overdue(today=today()).exists()
        latest = concern.history.first()
        assert latest.history_change_reason == (
            "Escalated to stage 2: line or commissioning manager: No reply to the practitioner"
        )
        assert latest.history_user == manager

    def test_stage_four_is_the_last(self, manager):
        concern = ConcernFactory(stage=4)
        with pytest.raises(ValidationError, match="already at stage 4"):
            concern_escalate(concern=concern, user=manager)

    def test_a_closed_concern_cannot_be_escalated(self, manager):
        concern = ConcernFactory()
        concern_close(concern=concern, user=manager, outcome="Resolved with the provider")
        with pytest.raises(ValidationError, match="closed"):
            concern_escalate(concern=concern, user=manager)

    def test_escalate_action_in_the_admin(self, manager, client_for):
        concern = ConcernFactory()
        client = client_for(manager)
        response = client.post(
            reverse("admin:registers_concern_changelist"),
            {"action": "escalate_selected", "_selected_action": [concern.pk]},
        )
        assert response.status_code == 302
        concern.refresh_from_db()
        assert concern.stage == 2


class TestCalendar:
    def test_month_weeks_start_on_monday_and_hold_the_days_visits(self, qa1):
        visit = VisitFactory(planned_date=date(2026, 11, 18), lead_officer=qa1)
        VisitFactory(planned_date=date(2026, 11, 18), status=VisitStatus.CANCELLED)
        weeks = calendar_month(year=2026, month=11)
        assert weeks[0][0].day == date(2026, 10, 26)
        days = {cell.day: cell.visits for week in weeks for cell in week}
        assert days[date(2026, 11, 18)] == [visit]

    def test_calendar_page(self, qa1, client_for):
        VisitFactory(
            planned_date=date(2026, 11, 18),
            lead_officer=qa1,
            setting=SettingFactory(name="Willow House"),
        )
        page = client_for(qa1).get(reverse("admin:registers_visit_calendar"), {"month": "2026-11"})
        assert b"Willow House" in page.content and b"November 2026" in page.content


class TestCalendarFeed:
    def test_the_feed_holds_only_setting_date_and_kind(self, qa1, client):
        VisitFactory(
            lead_officer=qa1,
            planned_date=date(2026, 12, 3),
            kind="unannounced",
            setting=SettingFactory(name="Willow House"),
            findings="Secret findings",
        )
        token = calendar_feed_issue(user=qa1)
        response = client.get(reverse("calendar_feed", args=[token]))
        body = response.content.decode()
        assert response["Content-Type"].startswith("text/calendar")
        assert "SUMMARY:Unannounced QA visit: Willow House" in body
        assert "DTSTART;VALUE=DATE:20261203" in body
        assert "Secret" not in body and qa1.username not in body

    def test_a_new_link_revokes_the_old_and_revoke_stops_it(self, qa1, client):
        old = calendar_feed_issue(user=qa1)
        new = calendar_feed_issue(user=qa1)
        assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
        assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
        calendar_feed_revoke(user=qa1)
        assert client.get(reverse("calendar_feed", args=[new])).status_code == 404

    def test_an_inactive_officers_feed_stops(self, qa1, client):
        token = calendar_feed_issue(user=qa1)
        qa1.is_active = False
        qa1.save()
        assert client.get(reverse("calendar_feed", args=[token])).status_code == 404

    def test_the_link_is_made_from_the_feed_page(self, qa1, client_for):
        client = client_for(qa1)
        page = client.post(reverse("admin:registers_visit_feed"), {"do": "issue"})
        assert "/calendar/" in page.context["new_url"]


class TestDailyJob:
    def test_reminders_go_once_a_day(self, qa1, django_capture_on_commit_callbacks):
        VisitFactory(lead_officer=qa1, planned_date=today() - timedelta(days=2))
        # The reminder is the user's daily digest, queued once the job commits.
        with django_capture_on_commit_callbacks(execute=True):
            daily_jobs_run()
            daily_jobs_run()
        assert [m.to for m in mail.outbox] == [[qa1.email]]
        assert "Overdue since" in mail.outbox[0].body


def test_a_concern_raised_in_the_admin_starts_at_stage_one(qa1, manager, client_for):
    setting = SettingFactory()
    response = client_for(manager).post(
        reverse("admin:registers_concern_add"),
        {
            "setting": str(setting.pk),
            "raised_on": today().strftime("%d/%m/%Y"),
            "category": "safeguarding",
            "description": "Missing episodes not reported",
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.stage, concern.stage_started_on, concern.raised_by) == (1, today(), manager)
    assert concern.provider == setting.provider


def test_a_concern_names_a_provider_or_a_setting(manager, client_for):
    response = client_for(manager).post(
        reverse("admin:registers_concern_add"),
        {
            "raised_on": today().strftime("%d/%m/%Y"),
            "category": "quality",
            "description": "x",
        },
    )
    assert response.status_code == 200
    assert "Name the provider, the setting, or both." in response.content.decode()
