"""The daily job and the managers' digest emails run as background tasks,
queued once the transaction that asks for them commits."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks import default_task_backend

from registers.services.daily import daily_jobs_run
from tests.factories import InspectionFactory, ProviderFactory, SettingFactory, today

pytestmark = pytest.mark.django_db


def inadequate_setting():
    setting = SettingFactory(provider=ProviderFactory())
    InspectionFactory(
        setting=setting, overall="inadequate", inspection_date=today() - timedelta(days=30)
    )
    return setting


@pytest.fixture
def queue_only(settings):
    """A backend that only records what is enqueued (no worker runs)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def test_run_daily_jobs_enqueue_queues_the_job_for_a_worker(
    manager, queue_only, django_capture_on_commit_callbacks
):
    setting = inadequate_setting()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_daily_jobs", "--enqueue")
    setting.refresh_from_db()
    assert not setting.enhanced_monitoring  # not run here
    assert [r.task.name for r in queue_only.results] == ["daily_jobs_task"]


def test_the_queued_daily_job_flags_and_sends_the_digest_when_a_worker_runs_it(
    manager, django_capture_on_commit_callbacks
):
    setting = inadequate_setting()
    # The immediate backend runs each task as it is enqueued, as a worker would.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_daily_jobs", "--enqueue")
    setting.refresh_from_db()
    assert setting.enhanced_monitoring
    # The managers' RI/Inadequate notification, and the manager's daily digest, whose
    # default kinds list the settings under enhanced monitoring.
    assert [m.to for m in mail.outbox] == [[manager.email], [manager.email]]
    assert sum(m.subject.startswith("Your reminders for") for m in mail.outbox) == 1
    assert all(setting.name in m.body for m in mail.outbox)


def test_the_digest_is_queued_after_commit_not_sent_in_the_request(
    manager, queue_only, django_capture_on_commit_callbacks
):
    inadequate_setting()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        daily_jobs_run()
    assert queue_only.results == []  # nothing before the commit
    for callback in callbacks:
        callback()
    # The RI/Inadequate notification and the daily digest, each queued after commit.
    assert [r.task.name for r in queue_only.results] == ["email_send_task"] * 2
    for queued in queue_only.results:
        assert queued.kwargs["recipients"] == [manager.email]
        assert queued.kwargs["subject"]
    assert mail.outbox == []
