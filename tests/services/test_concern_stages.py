"""Concern stages (issue 14, item 5): each escalation records who was told and
when; stage 3 writes the council's escalation letter; stage 4 needs the
Safeguarding Partnership informed; the daily job reminds each owner of a stage
past its limit, once a day."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from pypdf import PdfReader

from registers import roles
from registers.changes import Refused
from registers.models import Concern, ConcernEscalation, ReminderLog
from registers.selectors.concerns import concerns_past_stage_limit
from registers.services.concerns import (
    SAFEGUARDING_PARTNERSHIP_REQUIRED,
    concern_escalate,
    concern_stage_reminders_send,
    concerns_escalate,
)
from registers.services.daily import daily_jobs_run
from tests.factories import (
    ConcernFactory,
    LetterTemplateFactory,
    ProviderFactory,
    SettingFactory,
    today,
)

pytestmark = pytest.mark.django_db


def pdf_text(field_file) -> str:
    field_file.open("rb")
    try:
        data = field_file.read()
    finally:
        field_file.close()
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def at_stage(stage: int, *, user, **values) -> Concern:
    concern = ConcernFactory(**values)
    while concern.stage < stage:
        concern_escalate(
            concern=concern,
            user=user,
            informed_safeguarding_partnership=concern.stage == 3,
        )
    return concern


class TestStageRecords:
    def test_each_escalation_records_the_stage_who_escalated_and_who_was_told(self, manager):
        concern = ConcernFactory()
        told_on = today() - timedelta(days=1)
        concern_escalate(
            concern=concern,
            user=manager,
            note="No reply from the registered manager.",
            informed_on=told_on,
            informed_iro=True,
            informed_head_of_service=True,
            informed_others="Placing social worker",
        )
        row = ConcernEscalation.objects.get(concern=concern)
        assert (row.stage, row.started_on, row.escalated_by, row.informed_on) == (
            2,
            today(),
            manager,
            told_on,
        )
        assert row.informed_list == ["IRO", "Head of Service", "Placing social worker"]
        assert row.notes == "No reply from the registered manager."
        assert not row.letter
        entry = row.history.get()
        assert entry.history_user == manager
        assert entry.history_change_reason.startswith("Escalated to stage 2")
        assert Concern.objects.get(pk=concern.pk).stage == 2

    def test_people_informed_default_to_the_day_the_stage_starts(self, manager):
        concern = ConcernFactory()
        concern_escalate(concern=concern, user=manager, today=today() - timedelta(days=2))
        row = concern.escalations.get()
        assert row.informed_on == row.started_on == today() - timedelta(days=2)

    def test_stage_four_is_refused_unless_the_safeguarding_partnership_was_informed(self, manager):
        concern = at_stage(3, user=manager)
        with pytest.raises(Refused) as refused:
            concern_escalate(concern=Concern.objects.get(pk=concern.pk), user=manager)
        assert refused.value.message_dict == {
            "informed_safeguarding_partnership": [SAFEGUARDING_PARTNERSHIP_REQUIRED]
        }
        assert Concern.objects.get(pk=concern.pk).stage == 3
        assert concern.escalations.count() == 2

    def test_stage_four_records_the_safeguarding_partnership(self, manager):
        concern = at_stage(3, user=manager)
        concern_escalate(
            concern=concern, user=manager, informed_safeguarding_partnership=True, informed_iro=True
        )
        row = concern.escalations.get(stage=4)
        assert row.informed_safeguarding_partnership
        assert "Safeguarding Partnership" in row.informed_list

    def test_the_list_action_stops_before_stage_four_and_says_why(self, manager):
        concern = at_stage(3, user=manager)
        done, refused = concerns_escalate(concerns=[concern], user=manager)
        assert done == 0
        assert SAFEGUARDING_PARTNERSHIP_REQUIRED in refused[0]
        assert Concern.objects.get(pk=concern.pk).stage == 3

    @pytest.mark.parametrize(
        "role",
        [roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.COMMISSIONING_OFFICER, roles.AUDITOR],
    )
    def test_only_managers_escalate(self, role, make_user):
        concern = ConcernFactory()
        with pytest.raises(Exception, match="Only managers"):
            concern_escalate(concern=concern, user=make_user(role))
        assert not ConcernEscalation.objects.exists()


class TestLetter:
    def test_stage_three_writes_the_default_letter_when_the_council_has_none(self, manager):
        manager.first_name, manager.last_name = "Jo", "Bloggs"
        manager.save()
        setting = SettingFactory(name="Oak House", urn="SC123456")
        concern = at_stage(
            3, user=manager, setting=setting, description="Night staffing below the plan."
        )
        row = concern.escalations.get(stage=3)
        assert f"concern-{concern.pk}-stage-3" in row.letter.name
        text = pdf_text(row.letter)
        assert "Formal notice of concern: Oak House" in text
        assert setting.provider.name in text
        assert "SC123456" in text
        assert "Night staffing below the plan." in text
        assert "Jo Bloggs" in text
        assert f"{today():%d/%m/%Y}" in text
        assert "Sefton" in text or concern.authority.name in text

    def test_stage_three_uses_the_councils_own_wording_with_values_escaped(self, manager):
        LetterTemplateFactory(
            title="Our letter about {setting}",
            body="To {provider}: on {stage_date} we escalated this. {{not a placeholder}}\n\n"
            "Concern: {concern}",
        )
        provider = ProviderFactory(name="Smith & Sons <Care>")
        concern = at_stage(
            3,
            user=manager,
            setting=SettingFactory(provider=provider, name="Elm Lodge"),
            description="<script>alert(1)</script> {officer} stays as written",
        )
        text = pdf_text(concern.escalations.get(stage=3).letter)
        assert "Our letter about Elm Lodge" in text
        assert "To Smith & Sons <Care>:" in text
        assert f"on {today():%d/%m/%Y} we escalated this. {{not a placeholder}}" in text
        # A value is text: neither markup nor a placeholder to fill again.
        assert "<script>alert(1)</script> {officer} stays as written" in text
        assert "Formal notice of concern" not in text

    def test_stages_two_and_four_write_no_letter(self, manager):
        concern = at_stage(4, user=manager)
        assert [bool(row.letter) for row in concern.escalations.order_by("stage")] == [
            False,
            True,
            False,
        ]


class TestReminders:
    def overdue(self, *, owner=None, raised_by=None, days=11):
        started = today() - timedelta(days=days)
        return ConcernFactory(
            raised_on=started, stage_started_on=started, owner=owner, raised_by=raised_by
        )

    def test_the_owner_is_reminded_of_a_stage_past_its_limit_after_commit(
        self, manager, qa1, django_capture_on_commit_callbacks
    ):
        concern = self.overdue(owner=manager, raised_by=qa1)
        self.overdue(owner=manager, days=10)  # on its last day: not yet past
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert concern_stage_reminders_send(today=today()) == 1
        assert mail.outbox == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert [m.to for m in mail.outbox] == [[manager.email]]
        assert str(concern) in mail.outbox[0].body
        assert "10 days" in mail.outbox[0].body

    def test_at_most_one_reminder_a_day_per_owner(
        self, manager, django_capture_on_commit_callbacks
    ):
        self.overdue(owner=manager)
        self.overdue(owner=manager, days=30)
        with django_capture_on_commit_callbacks(execute=True):
            assert concern_stage_reminders_send(today=today()) == 1
            assert concern_stage_reminders_send(today=today()) == 0
        assert len(mail.outbox) == 1
        assert mail.outbox[0].subject.endswith(": 2")
        assert ReminderLog.objects.filter(kind="concern-stage").count() == 1

    def test_with_no_owner_the_person_who_raised_it_is_reminded(
        self, qa1, django_capture_on_commit_callbacks
    ):
        self.overdue(raised_by=qa1)
        with django_capture_on_commit_callbacks(execute=True):
            concern_stage_reminders_send(today=today())
        assert [m.to for m in mail.outbox] == [[qa1.email]]

    def test_closed_concerns_and_stages_within_the_limit_are_not_reminded(
        self, manager, django_capture_on_commit_callbacks
    ):
        closed = self.overdue(owner=manager)
        Concern.objects.filter(pk=closed.pk).update(closed_on=today())
        self.overdue(owner=manager, days=3)
        with django_capture_on_commit_callbacks(execute=True):
            assert concern_stage_reminders_send(today=today()) == 0
        assert mail.outbox == []

    def test_the_limit_is_a_setting(self, manager, settings, django_capture_on_commit_callbacks):
        concern = self.overdue(owner=manager, days=6)
        assert concern not in concerns_past_stage_limit(today=today())
        settings.CONCERN_STAGE_DAYS = 5
        assert list(concerns_past_stage_limit(today=today())) == [concern]
        with django_capture_on_commit_callbacks(execute=True):
            assert concern_stage_reminders_send(today=today()) == 1
        assert "5 days" in mail.outbox[0].body

    def test_the_daily_job_sends_them_and_a_second_run_sends_nothing_new(
        self, manager, django_capture_on_commit_callbacks
    ):
        self.overdue(owner=manager)
        with django_capture_on_commit_callbacks(execute=True):
            first = daily_jobs_run(today=today())
        with django_capture_on_commit_callbacks(execute=True):
            second = daily_jobs_run(today=today())
        assert "Concern stage reminders queued: 1." in first
        assert "Concern stage reminders queued: 0." in second
        assert [m.to for m in mail.outbox if "stage limit" in m.subject] == [[manager.email]]
