"""Each path to the data honours the same rules, forged requests included.

qa1 leads one visit and may change it; qa2 leads another, which qa1 may read
but never change, by any path.
"""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from guardian.shortcuts import assign_perm

from registers.models import (
    ActionItem,
    Contract,
    Provider,
    Visit,
    VisitStatus,
    VisitUserObjectPermission,
)
from tests.factories import (
    ActionItemFactory,
    ContractFactory,
    ProviderFactory,
    SettingFactory,
    VisitFactory,
    today,
)
from tests.helpers import add_inline_form, change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(qa1, qa2):
    mine = VisitFactory(lead_officer=qa1, findings="")
    theirs = VisitFactory(lead_officer=qa2, findings="")
    return mine, theirs


def visit_url(visit, view="change"):
    return reverse(f"admin:registers_visit_{view}", args=[visit.pk])


def make_custom_user(make_user, *perms: str):
    """A user whose only rights are ``perms``, for rules the role table cannot show."""
    user = make_user()
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


# 1. Changelist rows ---


def test_changelist_shows_only_rows_granted_to_a_user_without_model_rights(make_user, client_for):
    granted, hidden = ContractFactory(reference="C-SEEN"), ContractFactory(reference="C-HIDDEN")
    user = make_user()
    assign_perm("registers.view_contract", user, granted)
    response = client_for(user).get(reverse("admin:registers_contract_changelist"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [granted.pk]
    assert b"C-HIDDEN" not in response.content
    detail = client_for(user).get(reverse("admin:registers_contract_change", args=[hidden.pk]))
    assert detail.status_code == 302  # as if it did not exist


def test_qa_officers_see_every_visit_in_the_list(visits, qa1, client_for):
    response = client_for(qa1).get(reverse("admin:registers_visit_changelist"))
    assert {v.pk for v in response.context["cl"].result_list} == {v.pk for v in visits}


def test_mine_filter_lists_my_visits(visits, qa1, client_for):
    response = client_for(qa1).get(reverse("admin:registers_visit_changelist"), {"mine": "yes"})
    assert [v.pk for v in response.context["cl"].result_list] == [visits[0].pk]


def test_mine_filter_lists_my_contracts(officer, client_for):
    mine = ContractFactory(contract_manager=officer)
    ContractFactory()
    response = client_for(officer).get(
        reverse("admin:registers_contract_changelist"), {"mine": "yes"}
    )
    assert [c.pk for c in response.context["cl"].result_list] == [mine.pk]


# 2. Change view GET and POST ---


def test_another_officers_visit_opens_read_only(visits, qa1, client_for):
    response = client_for(qa1).get(visit_url(visits[1]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert b'name="_save"' not in response.content


def test_own_visit_opens_editable(visits, qa1, client_for):
    response = client_for(qa1).get(visit_url(visits[0]))
    assert response.context["has_change_permission"] is True
    assert b'name="_save"' in response.content


def test_forged_post_to_another_officers_visit_is_refused_and_changes_nothing(
    visits, qa1, client_for
):
    client = client_for(qa1)
    data = change_form_data(client.get(visit_url(visits[0])))
    data["findings"] = "Forged"
    response = client.post(visit_url(visits[1]), data)
    assert response.status_code == 403
    visits[1].refresh_from_db()
    assert visits[1].findings == ""
    assert visits[1].history.count() == 1


def test_own_visit_can_be_changed(visits, qa1, client_for):
    client = client_for(qa1)
    data = change_form_data(client.get(visit_url(visits[0])))
    data["recommendations"] = "Review staffing"
    assert client.post(visit_url(visits[0]), data).status_code == 302
    visits[0].refresh_from_db()
    assert visits[0].recommendations == "Review staffing"


def test_commissioning_officer_changes_only_contracts_they_manage(officer, client_for):
    mine, other = ContractFactory(contract_manager=officer), ContractFactory()
    client = client_for(officer)
    for contract, expected in ((mine, 302), (other, 403)):
        url = reverse("admin:registers_contract_change", args=[contract.pk])
        data = change_form_data(client.get(url))
        data["description"] = "Edited"
        assert client.post(url, data).status_code == expected
    assert Contract.objects.get(pk=other.pk).description != "Edited"


def test_deactivated_users_sessions_stop_working(qa1, client_for):
    client = client_for(qa1)
    assert client.get(reverse("admin:index")).status_code == 200
    qa1.is_active = False
    qa1.save()
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# 3. Delete view and delete_selected ---


def test_delete_view_refused_to_everyone_but_managers(visits, qa1, support, client_for):
    assert client_for(qa1).get(visit_url(visits[0], "delete")).status_code == 403
    provider = ProviderFactory()
    url = reverse("admin:registers_provider_delete", args=[provider.pk])
    assert client_for(support).post(url, {"post": "yes"}).status_code == 403
    assert Provider.objects.filter(pk=provider.pk).exists()


def test_forged_delete_selected_without_the_action_deletes_nothing(support, client_for):
    provider = ProviderFactory()
    response = client_for(support).post(
        reverse("admin:registers_provider_changelist"),
        {"action": "delete_selected", "_selected_action": [provider.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Provider.objects.filter(pk=provider.pk).exists()


def test_delete_selected_is_refused_per_object(visits, make_user, client_for):
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_visit"))
    assign_perm("registers.delete_visit", user, visits[0])  # one of the two only
    response = client_for(user).post(
        reverse("admin:registers_visit_changelist"),
        {"action": "delete_selected", "_selected_action": [v.pk for v in visits], "post": "yes"},
    )
    assert response.status_code == 403
    assert Visit.objects.count() == 2


# 4. Other admin actions ---


def test_forged_action_on_another_officers_visit_is_refused(visits, qa1, client_for):
    theirs = visits[1]
    Visit.objects.filter(pk=theirs.pk).update(
        status=VisitStatus.COMPLETED, actual_date=today(), rag="green", findings="Fine"
    )
    response = client_for(qa1).post(
        reverse("admin:registers_visit_changelist"),
        {"action": "issue_reports", "_selected_action": [theirs.pk]},
    )
    assert response.status_code == 403
    assert Visit.objects.get(pk=theirs.pk).status == VisitStatus.COMPLETED


def test_action_on_a_mix_of_own_and_others_changes_nothing(visits, qa1, client_for):
    items = [ActionItemFactory(visit=visit) for visit in visits]
    response = client_for(qa1).post(
        reverse("admin:registers_actionitem_changelist"),
        {"action": "mark_done", "_selected_action": [item.pk for item in items]},
    )
    assert response.status_code == 403
    assert not ActionItem.objects.filter(status="done").exists()


def test_action_on_own_records_works(visits, qa1, client_for):
    item = ActionItemFactory(visit=visits[0])
    client_for(qa1).post(
        reverse("admin:registers_actionitem_changelist"),
        {"action": "mark_done", "_selected_action": [item.pk]},
    )
    item.refresh_from_db()
    assert item.status == "done"


# 5. list_editable and inline formsets ---


def list_editable_data(items, statuses, total=None):
    data = {
        "form-TOTAL_FORMS": str(total or len(items)),
        "form-INITIAL_FORMS": str(len(items)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, (item, status) in enumerate(zip(items, statuses, strict=True)):
        data[f"form-{index}-id"] = str(item.pk)
        data[f"form-{index}-status"] = status
    return data


def test_list_editable_cannot_change_another_officers_action(visits, qa1, client_for):
    mine, theirs = ActionItemFactory(visit=visits[0]), ActionItemFactory(visit=visits[1])
    data = list_editable_data([mine, theirs], ["done", "done"])
    client_for(qa1).post(reverse("admin:registers_actionitem_changelist"), data)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("done", "open")


def test_forged_extra_list_editable_form_creates_nothing(visits, manager, client_for):
    item = ActionItemFactory(visit=visits[0])
    data = list_editable_data([item], ["open"], total=2)
    data.update({"form-1-status": "done", "form-1-id": ""})
    client_for(manager).post(reverse("admin:registers_actionitem_changelist"), data)
    assert ActionItem.objects.count() == 1


def test_forged_inline_form_cannot_reach_another_visits_action(visits, qa1, client_for):
    theirs = ActionItemFactory(visit=visits[1], description="Theirs")
    client = client_for(qa1)
    data = change_form_data(client.get(visit_url(visits[0])))
    add_inline_form(
        data,
        "action_items",
        {
            "id": str(theirs.pk),
            "visit": str(visits[0].pk),
            "description": "Stolen",
            "owner": "X",
            "due_date": today().strftime("%d/%m/%Y"),
            "status": "done",
        },
    )
    data["action_items-INITIAL_FORMS"] = "1"
    data["action_items-TOTAL_FORMS"] = "1"
    for key in list(data):
        if key.startswith("action_items-1-"):
            data[key.replace("action_items-1-", "action_items-0-")] = data.pop(key)
    client.post(visit_url(visits[0]), data)
    theirs.refresh_from_db()
    assert (theirs.description, theirs.visit_id) == ("Theirs", visits[1].pk)


def test_inline_on_another_officers_visit_is_refused(visits, qa1, client_for):
    client = client_for(qa1)
    data = change_form_data(client.get(visit_url(visits[0])))
    add_inline_form(
        data,
        "action_items",
        {
            "description": "Sneaky",
            "owner": "X",
            "due_date": today().strftime("%d/%m/%Y"),
            "status": "open",
        },
    )
    assert client.post(visit_url(visits[1]), data).status_code == 403
    assert not ActionItem.objects.exists()


# 6. History list, detail and revert ---


def test_history_is_readable_where_the_record_is(visits, qa1, auditor, client_for):
    for user in (qa1, auditor):
        assert client_for(user).get(visit_url(visits[1], "history")).status_code == 200


def test_history_never_leaks_a_record_the_user_cannot_see(make_user, client_for):
    hidden = ContractFactory()
    user = make_user()
    assign_perm("registers.view_contract", user, ContractFactory())
    client = client_for(user)
    assert (
        client.get(reverse("admin:registers_contract_history", args=[hidden.pk])).status_code == 404
    )
    version = hidden.history.first()
    detail = reverse("admin:registers_contract_simple_history", args=[hidden.pk, version.pk])
    assert client.get(detail).status_code == 404


def test_revert_is_for_managers_only(visits, qa1, auditor, client_for):
    visit = visits[0]
    original = visit.history.first()
    Visit.objects.filter(pk=visit.pk).update(recommendations="Later text")
    url = reverse("admin:registers_visit_simple_history", args=[visit.pk, original.pk])
    for user in (qa1, auditor):
        client = client_for(user)
        page = client.get(url)
        assert page.status_code == 200
        assert b">Revert<" not in page.content
        assert client.post(url, change_form_data(page)).status_code == 403
    assert Visit.objects.get(pk=visit.pk).recommendations == "Later text"


# 7. Autocomplete ---


def autocomplete(client, model, field, term=""):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": "registers", "model_name": model, "field_name": field, "term": term},
    )


@pytest.mark.parametrize(
    ("source", "field", "target"),
    [
        ("contract", "provider", "provider"),
        ("contract", "setting", "setting"),
        ("contract", "lot", "lot"),
        ("visit", "setting", "setting"),
        ("visit", "provider", "provider"),
        ("inspection", "setting", "setting"),
        ("concern", "setting", "setting"),
        ("lot", "framework", "framework"),
        ("actionitem", "visit", "visit"),
    ],
)
def test_autocomplete_refuses_staff_without_a_role(source, field, target, make_user, client_for):
    assert autocomplete(client_for(make_user()), source, field).status_code == 403


def test_autocomplete_returns_only_visible_rows(make_user, client_for):
    seen, unseen = ProviderFactory(name="Seen Care"), ProviderFactory(name="Unseen Care")
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_contract"))
    assign_perm("registers.view_provider", user, seen)
    response = autocomplete(client_for(user), "contract", "provider", "Care")
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {seen.pk} and unseen.pk not in ids


def test_action_item_visit_autocomplete_offers_only_visits_i_may_change(visits, qa1, client_for):
    response = autocomplete(client_for(qa1), "actionitem", "visit")
    assert {int(r["id"]) for r in response.json()["results"]} == {visits[0].pk}


# 8. Foreign-key choices in forms -----------------------------------------------------------------


def test_action_item_form_offers_and_accepts_only_own_visits(visits, qa1, client_for):
    client = client_for(qa1)
    url = reverse("admin:registers_actionitem_add")
    form = client.get(url).context["adminform"].form
    assert list(form.fields["visit"].queryset) == [visits[0]]
    response = client.post(
        url,
        {
            "visit": str(visits[1].pk),
            "description": "Forged",
            "owner": "X",
            "due_date": today().strftime("%d/%m/%Y"),
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert "visit" in response.context["adminform"].form.errors
    assert not ActionItem.objects.exists()


def test_qa_officer_cannot_assign_a_visit_to_someone_else(qa1, qa2, client_for):
    client = client_for(qa1)
    url = reverse("admin:registers_visit_add")
    form = client.get(url).context["adminform"].form
    assert list(form.fields["lead_officer"].queryset) == [qa1]
    response = client.post(
        url,
        {
            "setting": str(SettingFactory().pk),
            "planned_date": today().strftime("%d/%m/%Y"),
            "kind": "announced",
            "reason": "routine",
            "lead_officer": str(qa2.pk),
            "status": "planned",
            "action_items-TOTAL_FORMS": "0",
            "action_items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "lead_officer" in response.context["adminform"].form.errors
    assert not Visit.objects.exists()


def test_qa_officer_plans_own_visit_and_may_then_change_it(qa1, client_for):
    client = client_for(qa1)
    response = client.post(
        reverse("admin:registers_visit_add"),
        {
            "setting": str(SettingFactory().pk),
            "planned_date": today().strftime("%d/%m/%Y"),
            "kind": "announced",
            "reason": "routine",
            "lead_officer": str(qa1.pk),
            "status": "planned",
            "action_items-TOTAL_FORMS": "0",
            "action_items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert qa1.has_perm("registers.change_visit", visit)


# 9. Export ---


def export_rows(client, model):
    response = client.post(
        reverse(f"admin:registers_{model}_export"), {"format": "0", "resource": "0"}
    )
    assert response.status_code == 200, response.content[:500]
    return response.content.decode("utf-8-sig").strip().splitlines()


def test_export_contains_only_rows_the_user_may_view(make_user, client_for):
    seen = ContractFactory(reference="C-SEEN")
    ContractFactory(reference="C-HIDDEN")
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="export_contract"))
    assign_perm("registers.view_contract", user, seen)
    lines = export_rows(client_for(user), "contract")
    assert len(lines) == 2
    assert lines[1].startswith("C-SEEN")


def test_export_contains_only_the_register_columns(auditor, client_for):
    ProviderFactory()
    header = export_rows(client_for(auditor), "provider")[0]
    assert header.startswith("Name,Trading name,Companies House number")
    assert "normalised" not in header.lower()


def test_export_is_refused_without_the_export_permission(qa1, client_for):
    assert client_for(qa1).get(reverse("admin:registers_visit_export")).status_code == 403


def test_export_escapes_formulae(auditor, client_for):
    ProviderFactory(name='=HYPERLINK("http://evil")', trading_name="+SUM(1)")
    line = export_rows(client_for(auditor), "provider")[1]
    assert line.startswith("\"'=HYPERLINK") and ",'+SUM(1)," in line


# 10. Import ---


def upload(client, model, content: bytes, name="file.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        reverse(f"admin:registers_{model}_import"),
        {"import_file": file, "format": "0", "resource": "0"},
    )


def test_import_is_for_managers_only(support, client_for):
    client = client_for(support)
    for name in ("import", "import_template", "process_import"):
        assert client.get(reverse(f"admin:registers_provider_{name}")).status_code == 403
    assert upload(client, "provider", b"Name\nNew Care Ltd\n").status_code == 403
    assert client.get(reverse("admin:registers_setting_ofsted_import")).status_code == 403
    assert not Provider.objects.exists()


def test_import_rows_resolve_only_against_visits_the_importer_may_change(
    visits, make_user, client_for
):
    user = make_custom_user(make_user, "registers.import_visit", "registers.view_visit")
    assign_perm("registers.change_visit", user, visits[0])
    csv = f"Visit ID,Planned date,Findings\n{visits[1].pk},{today():%d/%m/%Y},Forged\n"
    response = upload(client_for(user), "visit", csv.encode())
    result = response.context["result"]
    assert not result.ok
    assert "is not a visit you may change" in str(result.problems[0])
    assert Visit.objects.get(pk=visits[1].pk).findings == ""


def test_import_cannot_attach_actions_to_a_visit_the_importer_may_not_change(
    visits, make_user, client_for
):
    user = make_custom_user(make_user, "registers.import_actionitem", "registers.view_visit")
    assign_perm("registers.change_visit", user, visits[0])
    csv = (
        "Visit ID,Action,Owner at the provider,Due date\n"
        f"{visits[1].pk},Do something,Manager,{today():%d/%m/%Y}\n"
    )
    result = upload(client_for(user), "actionitem", csv.encode()).context["result"]
    assert "Row 2, column 'Visit ID'" in str(result.problems[0])
    assert not ActionItem.objects.exists()


# 11. Guardian's object-permission pages ---


def test_object_permission_pages_are_for_managers(visits, qa1, manager, client_for):
    url = reverse("admin:registers_visit_permissions", args=[visits[0].pk])
    response = client_for(qa1).get(url)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client_for(manager).get(url).status_code == 200


def test_a_manager_grants_a_permission_from_the_record_page(visits, qa1, qa2, manager, client_for):
    url = reverse("admin:registers_visit_permissions_manage_user", args=[visits[0].pk, qa2.pk])
    response = client_for(manager).post(
        url, {"permissions": ["change_visit"], "reason": "Covering"}
    )
    assert response.status_code == 302
    assert qa2.has_perm("registers.change_visit", visits[0])


def test_nobody_grants_permissions_to_themselves(visits, manager, client_for):
    url = reverse("admin:registers_visit_permissions_manage_user", args=[visits[0].pk, manager.pk])
    assert (
        client_for(manager)
        .post(url, {"permissions": ["delete_visit"], "reason": "Test"})
        .status_code
        == 403
    )
    assert not VisitUserObjectPermission.objects.filter(
        user=manager, content_object=visits[0]
    ).exists()


def test_a_user_with_change_rights_cannot_reach_the_permission_pages(visits, qa1, client_for):
    """guardian #756: change permission on a record is not the right to grant on it."""
    url = reverse("admin:registers_visit_permissions_manage_user", args=[visits[0].pk, qa1.pk])
    response = client_for(qa1).post(url, {"permissions": ["delete_visit"], "reason": "Test"})
    assert response.status_code in (302, 403)
    assert not qa1.has_perm("registers.delete_visit", visits[0])


def test_group_permission_page_is_guarded_too(visits, qa1, client_for):
    group = Group.objects.get(name="QA officer")
    url = reverse("admin:registers_visit_permissions_manage_group", args=[visits[0].pk, group.pk])
    response = client_for(qa1).post(url, {"permissions": ["delete_visit"], "reason": "Test"})
    assert response.status_code in (302, 403)
    assert not qa1.has_perm("registers.delete_visit", visits[0])


@pytest.mark.parametrize("page", ["my", "due", "calendar", "feed"])
def test_officers_pages_are_refused_to_staff_without_a_role(page, make_user, client_for):
    response = client_for(make_user()).get(reverse(f"admin:registers_visit_{page}"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "visit/{visit}/permissions/user-manage/abc/",
        "visit/{visit}/permissions/group-manage/x/",
        "visit/abc/permissions/",
        "visit/{visit}/history/abc/",
        "provider/abc/history/",
        "provider/abc/approval/",
    ],
)
def test_malformed_ids_in_urls_are_not_found_not_errors(path, visits, manager, client_for):
    url = "/admin/registers/" + path.format(visit=visits[0].pk)
    assert client_for(manager).get(url).status_code == 404
