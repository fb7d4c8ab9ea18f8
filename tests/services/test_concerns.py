"""Provider concerns (manual 003): anyone who sees a setting raises one at
stage 1; managers alone change, escalate and close them; no stage lasts
longer than the stage limit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from registers import roles
from registers.changes import Change, Refused
from registers.models import Concern
from registers.services.concerns import (
    concern_action_allowed,
    concern_close,
    concern_escalate,
    concern_save,
    concerns_check,
    concerns_escalate,
    concerns_write,
)
from tests.factories import ConcernFactory, ProviderFactory, SettingFactory, today

pytestmark = pytest.mark.django_db

NOT_MANAGERS = [
    roles.BUSINESS_SUPPORT,
    roles.QA_OFFICER,
    roles.COMMISSIONING_OFFICER,
    roles.AUDITOR,
]
MANAGERS_ONLY = [(roles.MANAGER, True)] + [(role, False) for role in NOT_MANAGERS]


def new_concern(**values) -> Concern:
    defaults = {"category": "safeguarding", "description": "Staff ratios below the plan."}
    return Concern(**{**defaults, **values})


def stored(concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


class TestRaising:
    def test_a_concern_starts_at_stage_one_raised_by_the_user_about_the_settings_provider(
        self, qa1
    ):
        setting = SettingFactory()
        concern = concern_save(concern=new_concern(setting=setting), user=qa1)
        saved = stored(concern)
        assert (saved.stage, saved.raised_on, saved.stage_started_on) == (1, today(), today())
        assert (saved.raised_by, saved.provider) == (qa1, setting.provider)
        entry = saved.history.get()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "+",
            qa1,
            "Concern raised at stage 1",
        )

    def test_a_new_concern_cannot_start_at_a_later_stage(self, manager):
        raised_on = today() - timedelta(days=3)
        concern = concern_save(
            concern=new_concern(setting=SettingFactory(), stage=3, raised_on=raised_on),
            user=manager,
        )
        assert (stored(concern).stage, stored(concern).stage_started_on) == (1, raised_on)

    def test_a_concern_about_a_provider_alone_names_no_setting(self, support):
        provider = ProviderFactory()
        concern = concern_save(concern=new_concern(provider=provider), user=support)
        assert (stored(concern).provider, stored(concern).setting) == (provider, None)

    def test_a_concern_must_name_a_provider_or_a_setting(self, manager):
        with pytest.raises(Refused) as refused:
            concern_save(concern=new_concern(), user=manager)
        assert refused.value.message_dict == {
            "setting": ["Name the provider, the setting, or both."]
        }
        assert not Concern.objects.exists()

    @pytest.mark.parametrize(
        "role",
        [roles.MANAGER, roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.COMMISSIONING_OFFICER],
    )
    def test_every_role_that_works_the_registers_may_raise_one(self, make_user, role):
        change = Change(new_concern(setting=SettingFactory()))
        assert concerns_check(changes=[change], user=make_user(role)) == []

    def test_an_auditor_may_not_raise_one(self, auditor):
        with pytest.raises(Refused) as refused:
            concern_save(concern=new_concern(setting=SettingFactory()), user=auditor)
        assert refused.value.messages == ["You may not raise concerns."]
        assert not Concern.objects.exists()


class TestChanging:
    def test_a_manager_changes_a_concern_and_history_says_so(self, manager):
        concern = ConcernFactory(description="Staffing")
        concern.description = "Staffing and night cover"
        concern_save(concern=concern, user=manager)
        entry = stored(concern).history.first()
        assert (entry.description, entry.history_user, entry.history_change_reason) == (
            "Staffing and night cover",
            manager,
            "Concern changed",
        )

    @pytest.mark.parametrize("role", NOT_MANAGERS)
    def test_no_one_else_may_change_one(self, make_user, role):
        concern = ConcernFactory(description="Staffing")
        concern.description = "Nothing to worry about"
        with pytest.raises(Refused, match="Only managers change, escalate or close a concern."):
            concern_save(concern=concern, user=make_user(role))
        assert stored(concern).description == "Staffing"

    def test_a_bulk_write_records_each_with_the_user_and_reason(self, manager):
        setting = SettingFactory()
        changes = [
            Change(ConcernFactory.build(setting=setting, description="First")),
            Change(ConcernFactory.build(setting=setting, description="Second")),
        ]
        concerns_write(changes=changes, user=manager, reason="Raised at the provider forum")
        entries = Concern.history.order_by("description")
        assert [(e.description, e.history_user, e.history_change_reason) for e in entries] == [
            ("First", manager, "Raised at the provider forum"),
            ("Second", manager, "Raised at the provider forum"),
        ]


class TestEscalating:
    def test_a_stage_starts_on_the_day_given(self, manager):
        concern = ConcernFactory(stage=2)
        concern_escalate(concern=concern, user=manager, today=date(2026, 6, 1))
        saved = stored(concern)
        assert (saved.stage, saved.stage_started_on) == (3, date(2026, 6, 1))
        entry = saved.history.first()
        assert (entry.history_user, entry.history_change_reason) == (
            manager,
            "Escalated to stage 3: formal letter to the provider",
        )

    @pytest.mark.parametrize("role", NOT_MANAGERS)
    def test_only_managers_escalate(self, make_user, role):
        concern = ConcernFactory()
        with pytest.raises(PermissionDenied):
            concern_escalate(concern=concern, user=make_user(role))
        assert stored(concern).stage == 1

    def test_the_list_action_escalates_what_it_can_and_reports_the_rest(self, manager):
        open_ = ConcernFactory()
        last = ConcernFactory(stage=4)
        closed = ConcernFactory(closed_on=today(), outcome="Resolved")
        done, refused = concerns_escalate(concerns=[last, open_, closed], user=manager)
        assert done == 1
        assert refused == [
            f"{last} is already at stage 4, the safeguarding partnership.",
            f"{closed} is closed and cannot be escalated.",
        ]
        assert [stored(c).stage for c in (open_, last, closed)] == [2, 4, 1]


class TestClosing:
    def test_a_manager_closes_it_with_the_outcome(self, manager):
        concern = ConcernFactory()
        concern_close(
            concern=concern, user=manager, outcome=" Staffing restored ", closed_on=date(2026, 6, 2)
        )
        saved = stored(concern)
        assert (saved.outcome, saved.closed_on) == ("Staffing restored", date(2026, 6, 2))
        entry = saved.history.first()
        assert (entry.history_user, entry.history_change_reason) == (manager, "Concern closed")

    def test_it_closes_today_unless_told_otherwise(self, manager):
        concern = concern_close(concern=ConcernFactory(), user=manager, outcome="Resolved")
        assert stored(concern).closed_on == today()

    @pytest.mark.parametrize("role", NOT_MANAGERS)
    def test_only_managers_close(self, make_user, role):
        concern = ConcernFactory()
        with pytest.raises(PermissionDenied):
            concern_close(concern=concern, user=make_user(role), outcome="Resolved")
        assert stored(concern).closed_on is None

    def test_the_outcome_is_required(self, manager):
        concern = ConcernFactory()
        with pytest.raises(ValidationError) as refused:
            concern_close(concern=concern, user=manager, outcome="  ")
        assert refused.value.message_dict == {
            "outcome": ["Record the outcome to close the concern."]
        }
        assert stored(concern).closed_on is None

    def test_a_closed_concern_cannot_be_closed_again(self, manager):
        concern = ConcernFactory(closed_on=date(2026, 1, 5), outcome="Resolved")
        with pytest.raises(ValidationError, match="is already closed"):
            concern_close(concern=concern, user=manager, outcome="Resolved again")
        assert stored(concern).closed_on == date(2026, 1, 5)


class TestActionAllowed:
    @pytest.mark.parametrize("role, allowed", MANAGERS_ONLY)
    def test_only_managers_act_on_an_open_concern(self, make_user, role, allowed):
        assert concern_action_allowed(concern=ConcernFactory(), user=make_user(role)) is allowed

    def test_no_one_acts_on_a_closed_concern(self, manager):
        concern = ConcernFactory(closed_on=today(), outcome="Resolved")
        assert concern_action_allowed(concern=concern, user=manager) is False


class TestStageLimit:
    def test_a_stage_is_overdue_once_it_runs_past_the_configured_days(self, settings):
        settings.CONCERN_STAGE_DAYS = 5
        on_time = ConcernFactory(stage_started_on=today() - timedelta(days=5))
        late = ConcernFactory(stage_started_on=today() - timedelta(days=6))
        ConcernFactory(stage_started_on=today() - timedelta(days=30), closed_on=today())
        assert list(Concern.objects.stage_overdue(today=today())) == [late]
        assert on_time.stage_due_on == today()
        flags = dict(Concern.objects.with_overdue(today=today()).values_list("pk", "is_overdue"))
        assert (flags[on_time.pk], flags[late.pk]) == (False, True)
