"""Reads over enforcement: which settings and providers have one in force."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from registers.models import Enforcement, Provider, Setting


def under_enforcement_q() -> Q:
    """A setting with a compliance notice or restriction on accommodation in force
    (the columns services/enforcements.py keeps from the enforcement records)."""
    return Q(compliance_notice_on__isnull=False) | Q(accommodation_restriction_on__isnull=False)


def settings_under_enforcement(queryset: QuerySet[Setting] | None = None) -> QuerySet[Setting]:
    queryset = Setting.objects.all() if queryset is None else queryset
    return queryset.filter(under_enforcement_q())


def active_enforcements(*, setting_ids) -> dict[int, Enforcement]:
    """The earliest enforcement in force on each of these settings."""
    found: dict[int, Enforcement] = {}
    rows = (
        Enforcement.objects.active().filter(setting_id__in=setting_ids).order_by("imposed_on", "pk")
    )
    for row in rows:
        found.setdefault(row.setting_id, row)
    return found


def with_enforcement_flag(queryset: QuerySet[Provider]) -> QuerySet[Provider]:
    """Annotate ``under_enforcement``: one of the provider's settings has one in force."""
    enforced = Setting.objects.filter(under_enforcement_q(), provider=OuterRef("pk"))
    return queryset.annotate(under_enforcement=Exists(enforced))
