"""The pages of concern stages, letters and enforcement: every admin path goes
through the services, letters are served only to those who may see the
concern, and the flags show on the lists and the dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse

from registers import roles
from registers.models import (
    Concern,
    ConcernEscalation,
    Enforcement,
    EnforcementKind,
    LetterTemplate,
    Setting,
    Visit,
    VisitReason,
)
from registers.services.concerns import concern_escalate
from registers.services.enforcements import enforcement_impose
from tests.factories import (
    AuthorityFactory,
    ConcernFactory,
    LetterTemplateFactory,
    SettingFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db

READERS = [
    roles.MANAGER,
    roles.BUSINESS_SUPPORT,
    roles.QA_OFFICER,
    roles.COMMISSIONING_OFFICER,
    roles.AUDITOR,
]


def escalate_url(concern) -> str:
    return reverse("admin:registers_concern_escalate_page", args=[concern.pk])


def at_stage_three(manager) -> Concern:
    concern = ConcernFactory()
    concern_escalate(concern=concern, user=manager)
    concern_escalate(concern=concern, user=manager, informed_provider=True)
    return concern


class TestEscalatePage:
    def test_a_manager_escalates_recording_who_was_told(self, manager, client_for):
        concern = ConcernFactory()
        response = client_for(manager).post(
            escalate_url(concern),
            {
                "note": "No reply in 10 days.",
                "informed_on": today().strftime("%d/%m/%Y"),
                "informed_iro": "on",
                "informed_head_of_service": "on",
                "informed_others": "Placing social worker",
            },
        )
        assert response.status_code == 302
        row = ConcernEscalation.objects.get(concern=concern)
        assert row.informed_list == ["IRO", "Head of Service", "Placing social worker"]
        assert (row.escalated_by, row.notes) == (manager, "No reply in 10 days.")

    def test_stage_three_letter_is_linked_on_the_concern_and_downloads(self, manager, client_for):
        concern = ConcernFactory()
        concern_escalate(concern=concern, user=manager)
        client = client_for(manager)
        response = client.post(escalate_url(concern), {"informed_provider": "on"}, follow=True)
        assert "escalation letter" in response.content.decode()
        row = ConcernEscalation.objects.get(concern=concern, stage=3)
        page = client.get(reverse("admin:registers_concern_change", args=[concern.pk]))
        assert row.letter.url in page.content.decode()
        assert row.letter.url.startswith("/concern-letters/")
        download = client.get(row.letter.url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")

    def test_stage_four_without_the_safeguarding_partnership_shows_the_field_error(
        self, manager, client_for
    ):
        concern = at_stage_three(manager)
        client = client_for(manager)
        response = client.post(escalate_url(concern), {"informed_iro": "on"})
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["informed_safeguarding_partnership"][0].startswith("Stage 4 is")
        assert Concern.objects.get(pk=concern.pk).stage == 3
        response = client.post(escalate_url(concern), {"informed_safeguarding_partnership": "on"})
        assert response.status_code == 302
        assert Concern.objects.get(pk=concern.pk).stage == 4

    @pytest.mark.parametrize(
        "role",
        [roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.COMMISSIONING_OFFICER, roles.AUDITOR],
    )
    def test_others_may_not_escalate_even_by_a_forged_post(self, role, make_user, client_for):
        concern = ConcernFactory()
        response = client_for(make_user(role)).post(escalate_url(concern), {"informed_iro": "on"})
        assert response.status_code == 403
        assert not ConcernEscalation.objects.exists()

    def test_the_overdue_filter_lists_stages_past_the_limit(self, manager, client_for):
        old = today() - timedelta(days=11)
        ConcernFactory(description="Old stage", raised_on=old, stage_started_on=old)
        ConcernFactory(description="Fresh stage")
        response = client_for(manager).get(
            reverse("admin:registers_concern_changelist"), {"open": "overdue"}
        )
        content = response.content.decode()
        assert "Old stage" in content and "Fresh stage" not in content


class TestLetters:
    @pytest.mark.parametrize("role", READERS)
    def test_every_role_that_reads_concerns_downloads_the_letter(
        self, role, make_user, client_for, manager
    ):
        row = at_stage_three(manager).escalations.get(stage=3)
        assert client_for(make_user(role)).get(row.letter.url).status_code == 200

    @pytest.mark.parametrize("role", [roles.REGIONAL_LEAD, None])
    def test_others_are_refused_the_letter(self, role, make_user, client_for, manager):
        row = at_stage_three(manager).escalations.get(stage=3)
        assert client_for(make_user(role)).get(row.letter.url).status_code == 403

    def test_another_councils_letter_is_refused(self, make_user, client_for, manager):
        row = at_stage_three(manager).escalations.get(stage=3)
        theirs = AuthorityFactory(name="Neighbouring Council")
        Concern.objects.update(authority=theirs)
        ours = make_user(roles.MANAGER)
        home_authority().members.add(ours)
        assert client_for(ours).get(row.letter.url).status_code == 403

    def test_a_letter_needs_a_login(self, client, manager):
        row = at_stage_three(manager).escalations.get(stage=3)
        response = client.get(row.letter.url)
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_a_manager_writes_the_councils_letter_and_unknown_placeholders_are_refused(
        self, manager, client_for
    ):
        client = client_for(manager)
        url = reverse("admin:registers_lettertemplate_add")
        data = {"kind": "concern_stage_3", "title": "About {setting}", "body": "Dear {name}"}
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Unknown placeholder {name}" in response.content.decode()
        assert not LetterTemplate.objects.exists()
        response = client.post(url, {**data, "body": "Dear {provider},\n\n{concern}"})
        assert response.status_code == 302
        template = LetterTemplate.objects.get()
        assert template.authority == home_authority()

    def test_the_add_page_starts_from_the_default_wording(self, manager, client_for):
        response = client_for(manager).get(reverse("admin:registers_lettertemplate_add"))
        assert "Formal notice of concern" in response.content.decode()

    @pytest.mark.parametrize("role", [roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.AUDITOR])
    def test_others_read_but_do_not_write_letters(self, role, make_user, client_for):
        template = LetterTemplateFactory()
        client = client_for(make_user(role))
        assert client.get(reverse("admin:registers_lettertemplate_changelist")).status_code == 200
        url = reverse("admin:registers_lettertemplate_change", args=[template.pk])
        client.post(url, {"kind": template.kind, "title": "Changed", "body": "x"})
        assert LetterTemplate.objects.get().title != "Changed"


class TestEnforcementPages:
    def test_business_support_records_a_compliance_notice_on_its_page(self, support, client_for):
        setting = SettingFactory()
        response = client_for(support).post(
            reverse("admin:registers_enforcement_add"),
            {
                "setting": setting.pk,
                "kind": EnforcementKind.COMPLIANCE_NOTICE,
                "imposed_on": (today() - timedelta(days=1)).strftime("%d/%m/%Y"),
                "note": "Staffing at night.",
            },
        )
        assert response.status_code == 302
        enforcement = Enforcement.objects.get()
        assert enforcement.recorded_by == support
        saved = Setting.objects.get(pk=setting.pk)
        assert saved.enhanced_monitoring and saved.compliance_notice_on == enforcement.imposed_on
        assert Visit.objects.filter(setting=setting, reason=VisitReason.RISK).count() == 1

    def test_a_second_notice_in_force_is_refused_on_the_form(self, support, client_for):
        setting = SettingFactory()
        enforcement_impose(
            setting=setting,
            kind=EnforcementKind.COMPLIANCE_NOTICE,
            imposed_on=today(),
            user=support,
        )
        response = client_for(support).post(
            reverse("admin:registers_enforcement_add"),
            {"setting": setting.pk, "kind": "compliance_notice", "imposed_on": "01/01/2026"},
        )
        assert response.status_code == 200
        assert "already has a compliance notice in force" in response.content.decode()
        assert Enforcement.objects.count() == 1

    def test_lifting_on_its_page_lifts_the_monitoring(self, support, client_for):
        setting = SettingFactory()
        enforcement = enforcement_impose(
            setting=setting,
            kind=EnforcementKind.COMPLIANCE_NOTICE,
            imposed_on=today(),
            user=support,
        )
        url = reverse("admin:registers_enforcement_lift_page", args=[enforcement.pk])
        client = client_for(support)
        response = client.post(url, {"lifted_on": today().strftime("%d/%m/%Y"), "lifted_note": ""})
        assert response.status_code == 200 and response.context["form"].errors
        response = client.post(
            url, {"lifted_on": today().strftime("%d/%m/%Y"), "lifted_note": "Ofsted satisfied."}
        )
        assert response.status_code == 302
        assert not Setting.objects.get(pk=setting.pk).enhanced_monitoring
        assert client.get(url).status_code == 403  # lifted once

    @pytest.mark.parametrize("role", [roles.QA_OFFICER, roles.COMMISSIONING_OFFICER, roles.AUDITOR])
    def test_others_may_not_record_or_lift(self, role, make_user, client_for, support):
        enforcement = enforcement_impose(
            setting=SettingFactory(),
            kind=EnforcementKind.COMPLIANCE_NOTICE,
            imposed_on=today(),
            user=support,
        )
        client = client_for(make_user(role))
        assert client.get(reverse("admin:registers_enforcement_add")).status_code == 403
        lift = reverse("admin:registers_enforcement_lift_page", args=[enforcement.pk])
        assert client.post(lift, {"lifted_note": "x"}).status_code == 403
        assert Enforcement.objects.get().lifted_on is None

    def test_the_flag_shows_on_the_lists_and_the_dashboard(self, support, manager, client_for):
        setting = SettingFactory(name="Oak House")
        enforcement_impose(
            setting=setting,
            kind=EnforcementKind.ACCOMMODATION_RESTRICTION,
            imposed_on=today(),
            user=support,
        )
        client = client_for(manager)
        settings_page = client.get(
            reverse("admin:registers_setting_changelist"), {"enforcement": "yes"}
        ).content.decode()
        assert "Oak House" in settings_page and "Restriction on accommodation" in settings_page
        providers_page = client.get(reverse("admin:registers_provider_changelist")).content.decode()
        assert "Under enforcement" in providers_page
        home = client.get(reverse("admin:index"))
        card = next(c for c in home.context["cards"] if c["title"] == "Settings under enforcement")
        assert card["value"] == 1
        setting_page = client.get(reverse("admin:registers_setting_change", args=[setting.pk]))
        assert "Restriction on accommodation" in setting_page.content.decode()
