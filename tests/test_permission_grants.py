"""Per-record grants read in one query, answering as guardian would.

registers.permissions reads a user's grants from guardian's generic tables and
the direct-foreign-key tables in one query, and joins by foreign key rather
than casting every row's id to text. These tests hold it to guardian's answers.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from registers.models import ActionItem, Setting, Visit
from registers.permissions import changeable_ids, has_perm, permission_cache, permitted
from tests.factories import ActionItemFactory, SettingFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_a_generic_grant_on_one_setting(qa1):
    mine, other = SettingFactory(), SettingFactory()
    assign_perm("registers.change_setting", qa1, mine)
    assert set(permitted(qa1, ("change",), Setting.objects.all())) == {mine}
    assert has_perm(qa1, "registers.change_setting", mine)
    assert not has_perm(qa1, "registers.change_setting", other)
    assert qa1.has_perm("registers.change_setting", mine)  # guardian agrees


def test_a_group_grant_on_a_visit_reaches_its_action_items(qa1, qa2):
    team = Group.objects.create(name="North team")
    qa2.groups.add(team)
    visit = VisitFactory(lead_officer=qa1)
    item = ActionItemFactory(visit=visit)
    other = ActionItemFactory()
    assign_perm("registers.change_visit", team, visit)
    assert set(permitted(qa2, ("change",), Visit.objects.all())) == {visit}
    assert set(permitted(qa2, ("change",), ActionItem.objects.all())) == {item}
    assert has_perm(qa2, "registers.change_actionitem", item)
    assert not has_perm(qa2, "registers.change_actionitem", other)
    assert changeable_ids(qa2, ActionItem, [item.pk, other.pk]) == {item.pk}


def test_the_lead_officers_own_visits_and_no_others(qa1, qa2):
    own = VisitFactory(lead_officer=qa1)
    theirs = VisitFactory(lead_officer=qa2)
    assert set(permitted(qa1, ("change",), Visit.objects.all())) == {own}
    assert has_perm(qa1, "registers.change_visit", own)
    assert not has_perm(qa1, "registers.change_visit", theirs)


def test_no_row_id_is_cast_to_text(qa1):
    setting = SettingFactory()
    assign_perm("registers.change_setting", qa1, setting)
    VisitFactory(lead_officer=qa1)
    for queryset in (Setting.objects.all(), Visit.objects.all()):
        sql = str(permitted(qa1, ("change",), queryset).query).upper()
        assert "AS TEXT" not in sql and "AS VARCHAR" not in sql


def test_within_a_request_each_question_is_asked_of_the_database_once(qa1):
    visit = VisitFactory(lead_officer=qa1)
    with permission_cache(), CaptureQueriesContext(connection) as context:
        has_perm(qa1, "registers.change_visit", visit)
        first = len(context.captured_queries)
        for _ in range(5):
            has_perm(qa1, "registers.change_visit", visit)
            has_perm(qa1, "registers.view_visit", visit)
    assert len(context.captured_queries) == first
