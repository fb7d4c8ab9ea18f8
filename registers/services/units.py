"""A unit of work: one transaction around a service's writes.

Services open a unit; a service called from inside another joins the outer
unit. Work that must happen once per transaction (the enhanced-monitoring
check of every setting the writes touched) is queued on the unit and runs
once, just before the outermost unit commits. Side effects that must not
happen for a change that rolls back (emails) wait for the commit.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from registers.permissions import Actor

Handler = Callable[..., object]  # handler(items=set, unit=Unit) -> result


@dataclass
class Unit:
    user: Actor
    today: date
    quiet: bool = False  # no emails: seeding demo data
    results: dict[str, object] = field(default_factory=dict)
    _queues: dict[str, tuple[set, Handler]] = field(default_factory=dict)

    def queue(self, key: str, items: Iterable, handler: Handler) -> None:
        """Run ``handler`` once, before commit, over every item queued under ``key``."""
        bucket, _ = self._queues.setdefault(key, (set(), handler))
        bucket.update(items)

    def after_commit(self, callback: Callable[[], object]) -> None:
        transaction.on_commit(callback)

    def _finish(self) -> None:
        # A handler may queue more work (under another key): run until none is left.
        while self._queues:
            key = next(iter(self._queues))
            items, handler = self._queues.pop(key)
            if items:
                result = handler(items=items, unit=self)
                previous = self.results.get(key)
                if previous is not None and hasattr(previous, "merge"):
                    previous.merge(result)
                else:
                    self.results[key] = result


_current: ContextVar[Unit | None] = ContextVar("write_unit", default=None)


@contextmanager
def write_unit(*, user: Actor, today: date | None = None, quiet: bool = False) -> Iterator[Unit]:
    outer = _current.get()
    if outer is not None:
        with transaction.atomic():
            yield outer
        return
    unit = Unit(user=user, today=today or timezone.localdate(), quiet=quiet)
    token = _current.set(unit)
    try:
        with transaction.atomic():
            yield unit
            unit._finish()
    finally:
        _current.reset(token)
