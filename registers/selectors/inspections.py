"""Reads over inspections: how an inspection is recognised, on every path.

An inspection is matched by its setting and Ofsted's event number; else by its
setting, date and type. A row with an event number may also find an
inspection entered by hand without one, which then gains the number.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from registers.models import Inspection

CHUNK = 5000


@dataclass
class InspectionIndex:
    by_event: dict[tuple, Inspection] = field(default_factory=dict)
    by_date: dict[tuple, Inspection] = field(default_factory=dict)

    def match(
        self, *, setting_id: int | None, event_number: str, inspection_date: date, kind: str
    ) -> Inspection | None:
        if setting_id is None:
            return None
        if event_number:
            found = self.by_event.get((setting_id, event_number))
            if found is not None:
                return found
            found = self.by_date.get((setting_id, inspection_date, kind))
            return found if found is not None and not found.event_number else None
        return self.by_date.get((setting_id, inspection_date, kind))


def inspection_index(setting_ids: Iterable[int]) -> InspectionIndex:
    """Every inspection of the settings, indexed for ``match``. One query a chunk."""
    ids = sorted({pk for pk in setting_ids if pk is not None})
    index = InspectionIndex()
    for start in range(0, len(ids), CHUNK):
        for inspection in Inspection.objects.filter(setting_id__in=ids[start : start + CHUNK]):
            if inspection.event_number:
                index.by_event[(inspection.setting_id, inspection.event_number)] = inspection
            key = (inspection.setting_id, inspection.inspection_date, inspection.inspection_type)
            # Prefer the one without an event number: it is the one a row may complete.
            if key not in index.by_date or not inspection.event_number:
                index.by_date[key] = inspection
    return index
