"""A later page shows the same rows, with the same per-row figures, whether the
annotations are computed for every row or (as now) for the page's rows only."""

from datetime import timedelta

import pytest
from django.urls import reverse

from registers.models import Visit
from tests.factories import ActionItemFactory, VisitFactory, today

pytestmark = pytest.mark.django_db


def test_the_second_page_of_visits_is_the_next_fifty_in_order(manager, client_for):
    for n in range(60):
        visit = VisitFactory(planned_date=today() - timedelta(days=n % 7))
        if n % 3 == 0:
            ActionItemFactory(visit=visit, due_date=today() - timedelta(days=1))
    client = client_for(manager)
    url = reverse("admin:registers_visit_changelist")
    second = client.get(url, {"p": 2}).context["cl"].result_list
    expected = list(Visit.objects.order_by("planned_date", "id").values_list("pk", flat=True))
    assert [v.pk for v in second] == expected[50:]
    for visit in second:
        assert visit.overdue_actions == (
            visit.action_items.filter(due_date__lt=today()).exclude(status="done").count()
        )
