"""Registrations that end: a setting in use is flagged for placement review and the
managers get one digest after commit, on every path, once per status change."""

import pytest
from django.core import mail
from django.urls import reverse

from registers.changes import change_from
from registers.models import RegistrationStatus, Setting
from registers.services.registrations import RESULT, registrations_ending
from registers.services.settings import setting_save, settings_write
from registers.services.units import write_unit
from tests.factories import ProviderFactory, SettingFactory, today
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_use(manager):  # manager: someone to email
    return SettingFactory(urn="SC500001", provider=ProviderFactory(approval_status="approved"))


def test_the_settings_page_flags_it_and_emails_once(
    in_use, manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    url = reverse("admin:registers_setting_change", args=[in_use.pk])
    data = change_form_data(client.get(url))
    data["registration_status"] = RegistrationStatus.CANCELLED
    data["registration_status_since"] = today().strftime("%d/%m/%Y")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    in_use.refresh_from_db()
    assert in_use.placement_review_required
    assert in_use.placement_review_since == today()
    assert len(mail.outbox) == 1
    assert "SC500001" in mail.outbox[0].body


def test_a_setting_not_in_use_is_not_flagged(manager):
    idle = SettingFactory(provider=ProviderFactory(approval_status="applicant"))
    idle.registration_status = RegistrationStatus.RESIGNED
    setting_save(setting=idle, user=manager)
    idle.refresh_from_db()
    assert not idle.placement_review_required


def test_saving_again_without_a_status_change_starts_nothing(
    in_use, manager, django_capture_on_commit_callbacks
):
    in_use.registration_status = RegistrationStatus.SUSPENDED
    setting_save(setting=in_use, user=manager)
    in_use.placement_review_required = False  # a manager has reviewed the placements
    setting_save(setting=in_use, user=manager)
    mail.outbox.clear()
    in_use.name = "Renamed"
    with django_capture_on_commit_callbacks(execute=True):
        setting_save(setting=in_use, user=manager)
    in_use.refresh_from_db()
    assert not in_use.placement_review_required and mail.outbox == []


def test_one_digest_for_many_writes_in_one_transaction(manager, django_capture_on_commit_callbacks):
    settings = [SettingFactory(provider=ProviderFactory()) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True), write_unit(user=manager) as unit:
        for setting in settings:
            change = change_from(setting)
            setting.registration_status = RegistrationStatus.CLOSED
            settings_write(changes=[change], user=manager, reason="Closed")
    assert len(unit.results[RESULT].ended) == 2
    assert len(mail.outbox) == 1


def test_a_quiet_unit_sends_nothing(in_use, manager, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        write_unit(user=manager, quiet=True) as unit,
    ):
        change = change_from(in_use)
        in_use.registration_status = RegistrationStatus.RESIGNED
        registrations_ending(changes=[change], unit=unit)
    assert in_use.placement_review_required
    assert mail.outbox == []
    assert Setting.objects.get(pk=in_use.pk).registration_status == RegistrationStatus.ACTIVE
