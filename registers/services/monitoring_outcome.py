"""What one pass of the enhanced-monitoring check did: the settings it flagged
(each with the authorities newly flagged), lifted, the visits and reviews it
opened and the digests it sent. Read by the daily job's report and the tests."""

from dataclasses import dataclass, field
from datetime import date

from registers.models import Inspection, Judgement, Provider, Setting, Visit


@dataclass
class FlaggedSetting:
    setting: Setting
    inspection: Inspection
    rating: str
    visit_due: date | None
    approval_review: bool
    # The authorities using the setting: each plans its own visit and gets its own digest.
    authority_ids: frozenset[int] = frozenset()

    @property
    def rating_label(self) -> str:
        return Judgement(self.rating).label


@dataclass
class MonitoringOutcome:
    checked: int = 0
    flagged: list[FlaggedSetting] = field(default_factory=list)
    lifted: list[Setting] = field(default_factory=list)
    visits_created: list[Visit] = field(default_factory=list)
    reviews_opened: list[Provider] = field(default_factory=list)
    # Settings newly held by an enforcement alone, and the risk visits enforcement planned.
    enforcement_flagged: list[Setting] = field(default_factory=list)
    enforcement_visits: list[Visit] = field(default_factory=list)
    digest_recipients: int = 0
    # (authority id, recipients) of each digest; authority None: the install's only one.
    digests: list[tuple[int | None, list[str]]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.flagged
            or self.lifted
            or self.visits_created
            or self.reviews_opened
            or self.enforcement_flagged
        )

    def merge(self, other: "MonitoringOutcome") -> None:
        self.checked += other.checked
        self.flagged += other.flagged
        self.lifted += other.lifted
        self.visits_created += other.visits_created
        self.reviews_opened += other.reviews_opened
        self.enforcement_flagged += other.enforcement_flagged
        self.enforcement_visits += other.enforcement_visits
        self.digest_recipients = max(self.digest_recipients, other.digest_recipients)
        self.digests += other.digests

    def summary(self) -> str:
        return (
            f"Ofsted follow-up: {len(self.flagged)} setting(s) put under enhanced monitoring, "
            f"{len(self.visits_created)} risk-based visit(s) planned, "
            f"{len(self.reviews_opened)} approval review(s) opened, "
            f"{len(self.lifted)} lifted from enhanced monitoring."
        )
