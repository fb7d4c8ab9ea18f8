"""The version a record was read at: the id of its latest history row. Every write,
single or bulk, adds a history row, so a newer one means someone changed it since."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Model
from django.utils import timezone


def versioned(model: type[Model]) -> bool:
    return hasattr(model, "history") and hasattr(model.history, "model")


def record_versions(model: type[Model], ids) -> dict:
    """{record id: latest history id}, one query however many records."""
    ids = [pk for pk in ids if pk is not None]
    if not ids or not versioned(model):
        return {}
    rows = (
        model.history.model.objects.filter(id__in=ids)
        .values("id")
        .annotate(latest=Max("history_id"))
        .values_list("id", "latest")
    )
    return dict(rows)


@dataclass(frozen=True)
class ChangeSince:
    fields: list[str]
    who: str
    when: datetime

    def describe(self) -> str:
        when = timezone.localtime(self.when).strftime("%d/%m/%Y at %H:%M")
        what = ", ".join(self.fields) if self.fields else "the record"
        return f"{what} by {self.who} on {when}"


def changes_since(model: type[Model], pk, version: int) -> list[ChangeSince]:
    """Each later change to the record: the fields it changed, who and when."""
    rows = list(
        model.history.model.objects.filter(id=pk, history_id__gte=version)
        .select_related("history_user")
        .order_by("history_id")
    )
    if rows and rows[0].history_id == version:
        previous, later = rows[0], rows[1:]
    else:
        previous, later = None, rows
    found = []
    for row in later:
        fields = []
        if previous is not None:
            fields = [
                str(model._meta.get_field(change.field).verbose_name).capitalize()
                for change in row.diff_against(previous).changes
            ]
        user = row.history_user
        who = (user.get_full_name() or user.get_username()) if user else "the system"
        found.append(ChangeSince(fields=fields, who=who, when=row.history_date))
        previous = row
    return found
