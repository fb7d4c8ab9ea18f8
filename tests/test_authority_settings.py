"""Each authority's own side of a shared setting: its own enhanced-monitoring
flag, and a manager's choice to opt their council out of an approved setting.

An approved provider's settings are used by every member authority unless it
opts out; the Requires Improvement / Inadequate process runs, flags and writes
only for the councils that use the setting.
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from registers import roles
from registers.models import AuthoritySetting, Judgement, Visit
from registers.services.monitoring import monitoring_refresh
from registers.services.setting_uses import setting_use_choose
from tests.factories import (
    AuthorityFactory,
    ContractFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    home_authority,
)

pytestmark = pytest.mark.django_db


class Region:
    """Two councils, a manager and a business-support officer in each, and a
    setting of an approved provider (so both use it by default)."""

    def __init__(self, make_user):
        self.ours = home_authority()
        self.theirs = AuthorityFactory(name="Neighbouring Council", code="E08000015")
        self.manager_a = make_user(roles.MANAGER, username="t_manager_a", email="a@a.gov.uk")
        self.manager_b = make_user(roles.MANAGER, username="t_manager_b", email="b@b.gov.uk")
        self.support_b = make_user(roles.BUSINESS_SUPPORT, username="t_support_b")
        self.ours.members.add(self.manager_a)
        self.theirs.members.add(self.manager_b, self.support_b)
        self.setting = SettingFactory(provider=ProviderFactory(approval_status="approved"))

    def flags(self):
        return {
            row.authority_id: row.enhanced_monitoring
            for row in AuthoritySetting.objects.filter(setting=self.setting)
        }

    def risk_visits(self):
        return sorted(
            Visit.objects.filter(setting=self.setting, reason="risk").values_list(
                "authority_id", flat=True
            )
        )


@pytest.fixture
def region(make_user):
    return Region(make_user)


def judge(setting, judgement, captured):
    InspectionFactory(setting=setting, overall=judgement)
    with captured(execute=True):
        monitoring_refresh(user=None)


def test_each_council_using_a_setting_carries_its_own_flag(
    region, django_capture_on_commit_callbacks
):
    judge(region.setting, Judgement.INADEQUATE, django_capture_on_commit_callbacks)
    assert region.flags() == {region.ours.pk: True, region.theirs.pk: True}
    assert region.risk_visits() == sorted([region.ours.pk, region.theirs.pk])


def test_a_council_that_opted_out_is_not_flagged_visited_or_emailed(
    region, django_capture_on_commit_callbacks
):
    setting_use_choose(
        setting=region.setting,
        authority_id=region.theirs.pk,
        opted_out=True,
        user=region.manager_b,
        reason="We place no children there",
    )
    judge(region.setting, Judgement.INADEQUATE, django_capture_on_commit_callbacks)
    assert region.flags() == {region.ours.pk: True, region.theirs.pk: False}
    assert region.risk_visits() == [region.ours.pk]
    assert [tuple(m.to) for m in mail.outbox] == [("a@a.gov.uk",)]


def test_opting_back_in_flags_that_council_alone_and_tells_only_it(
    region, django_capture_on_commit_callbacks
):
    setting_use_choose(
        setting=region.setting,
        authority_id=region.theirs.pk,
        opted_out=True,
        user=region.manager_b,
        reason="Not used",
    )
    judge(region.setting, Judgement.REQUIRES_IMPROVEMENT, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        setting_use_choose(
            setting=region.setting,
            authority_id=region.theirs.pk,
            opted_out=False,
            user=region.manager_b,
            reason="A child is placed there from Monday",
        )
    assert region.flags() == {region.ours.pk: True, region.theirs.pk: True}
    assert region.risk_visits() == sorted([region.ours.pk, region.theirs.pk])
    assert [tuple(m.to) for m in mail.outbox] == [("b@b.gov.uk",)]


def test_a_good_judgement_lifts_every_councils_flag(region, django_capture_on_commit_callbacks):
    judge(region.setting, Judgement.INADEQUATE, django_capture_on_commit_callbacks)
    judge(region.setting, Judgement.GOOD, django_capture_on_commit_callbacks)
    assert region.flags() == {region.ours.pk: False, region.theirs.pk: False}
    region.setting.refresh_from_db()
    assert region.setting.enhanced_monitoring is False


def test_the_choice_is_kept_in_history_with_its_reason(region):
    row = setting_use_choose(
        setting=region.setting,
        authority_id=region.theirs.pk,
        opted_out=True,
        user=region.manager_b,
        reason="Not used",
    )
    entry = row.history.latest()
    assert (entry.history_user, entry.history_change_reason, entry.opted_out) == (
        region.manager_b,
        "Not used",
        True,
    )


@pytest.mark.parametrize(
    ("who", "authority", "reason", "field"),
    [
        ("support_b", "theirs", "Not used", "authority"),  # not a manager
        ("manager_b", "ours", "Not used", "authority"),  # not their council
        ("manager_b", "theirs", "  ", "reason"),  # no reason
    ],
)
def test_the_choice_is_refused_and_changes_nothing(region, who, authority, reason, field):
    with pytest.raises(ValidationError) as refusal:
        setting_use_choose(
            setting=region.setting,
            authority_id=getattr(region, authority).pk,
            opted_out=True,
            user=getattr(region, who),
            reason=reason,
        )
    assert field in refusal.value.message_dict
    assert not AuthoritySetting.objects.exists()


# --- Through the admin ------------------------------------------------------------------


def use_page(setting):
    return reverse("admin:registers_setting_council_use_page", args=[setting.pk])


def test_a_manager_opts_their_council_out_on_the_settings_page(region, client_for):
    client = client_for(region.manager_b)
    page = client.get(use_page(region.setting))
    assert page.status_code == 200
    # Only their own council is offered.
    assert list(page.context["form"].fields["authority"].choices) == [
        (region.theirs.pk, "Neighbouring Council")
    ]
    response = client.post(
        use_page(region.setting),
        {"authority": region.theirs.pk, "use": "opt_out", "reason": "Not used"},
    )
    assert response.status_code == 302
    assert AuthoritySetting.objects.get(setting=region.setting).opted_out is True
    change = client.get(reverse("admin:registers_setting_change", args=[region.setting.pk]))
    assert "Neighbouring Council – opted out" in change.content.decode()


def test_a_forged_choice_for_another_council_is_refused(region, client_for):
    response = client_for(region.manager_b).post(
        use_page(region.setting),
        {"authority": region.ours.pk, "use": "opt_out", "reason": "Not used"},
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert not AuthoritySetting.objects.exists()


@pytest.mark.parametrize("role", ["support", "qa1", "officer", "auditor"])
def test_only_managers_reach_the_choice(role, request, region, client_for):
    user = request.getfixturevalue(role)
    region.theirs.members.add(user)
    response = client_for(user).get(use_page(region.setting))
    assert response.status_code == 403


def test_lists_and_dashboard_show_the_flag_of_the_users_own_councils(
    region, client_for, django_capture_on_commit_callbacks
):
    setting_use_choose(
        setting=region.setting,
        authority_id=region.theirs.pk,
        opted_out=True,
        user=region.manager_b,
        reason="Not used",
    )
    judge(region.setting, Judgement.INADEQUATE, django_capture_on_commit_callbacks)
    listing = reverse("admin:registers_setting_changelist") + "?enhanced_monitoring=yes"
    seen = {}
    for name in ("manager_a", "manager_b"):
        client = client_for(getattr(region, name))
        seen[name] = [s.pk for s in client.get(listing).context["cl"].result_list]
        cards = client.get(reverse("admin:index")).context["cards"]
        seen[name + " card"] = next(
            c["value"] for c in cards if c["title"] == "Settings under enhanced monitoring"
        )
    assert seen == {
        "manager_a": [region.setting.pk],
        "manager_a card": 1,
        "manager_b": [],
        "manager_b card": 0,
    }


def test_a_single_authority_install_shows_no_councils_tab(manager, client_for):
    setting = SettingFactory()
    page = client_for(manager).get(reverse("admin:registers_setting_change", args=[setting.pk]))
    assert "Each council" not in page.content.decode()


def test_a_contract_going_live_later_brings_that_council_into_the_process(
    region, django_capture_on_commit_callbacks
):
    """No write marks the day a contract starts: the daily job finds the council."""
    from_date = date.today() + timedelta(days=10)
    region.setting.provider.approval_status = "applicant"
    region.setting.provider.save()
    ContractFactory(authority=region.ours, provider=region.setting.provider, setting=region.setting)
    ContractFactory(
        authority=region.theirs,
        provider=region.setting.provider,
        setting=region.setting,
        start_date=from_date,
        end_date=from_date + timedelta(days=365),
    )
    judge(region.setting, Judgement.INADEQUATE, django_capture_on_commit_callbacks)
    assert region.flags() == {region.ours.pk: True}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        monitoring_refresh(user=None, today=from_date)
    assert region.flags() == {region.ours.pk: True, region.theirs.pk: True}
    assert region.risk_visits() == sorted([region.ours.pk, region.theirs.pk])
    assert [tuple(m.to) for m in mail.outbox] == [("b@b.gov.uk",)]
