from registers.models.access import (
    ContractGroupObjectPermission,
    ContractUserObjectPermission,
    PortalPermission,
    ReferralGroupObjectPermission,
    ReferralUserObjectPermission,
    ReminderLog,
    VisitGroupObjectPermission,
    VisitUserObjectPermission,
)
from registers.models.access_events import AccessEvent, AccessEventKind
from registers.models.action_items import ActionItem, ActionStatus
from registers.models.authorities import Authority, AuthoritySetting
from registers.models.common import Rag
from registers.models.compliance import ComplianceDocument, ComplianceDocumentKind
from registers.models.concerns import Concern, ConcernCategory, ConcernEscalation, ConcernStage
from registers.models.contracts import (
    AuthoriserRole,
    Contract,
    ContractDocument,
    ContractReview,
    ContractStatus,
    ContractVariation,
    DocumentKind,
    KpiOutcome,
    ProcurementRoute,
    TenderType,
    VariationKind,
)
from registers.models.enforcements import Enforcement, EnforcementKind
from registers.models.export_jobs import ExportJob, ExportJobStatus
from registers.models.frameworks import Framework, FrameworkKind, Lot
from registers.models.import_jobs import ImportJob, ImportJobMode, ImportJobStatus
from registers.models.imports import ImportRun
from registers.models.inspections import Inspection, InspectionType, Judgement
from registers.models.letter_templates import LetterKind, LetterTemplate
from registers.models.notification_preferences import (
    NotificationPreference,
    ReminderKind,
    RoleReminderDefault,
)
from registers.models.placement_checks import (
    CareOrSupport,
    CheckOutcome,
    PlacementCheck,
    PlacementDecision,
    PlacementType,
    StaticOrMobile,
    VisitFrequency,
)
from registers.models.providers import ApprovalStatus, Provider, Sector
from registers.models.referral_rounds import (
    ReferralInvitation,
    ReferralResponse,
    ReferralRound,
    ResponseAnswer,
    ResponseChannel,
    RoundKind,
)
from registers.models.referrals import (
    AgeBand,
    Referral,
    ReferralSchedule,
    ReferralStatus,
    ServiceType,
    Weekday,
)
from registers.models.regulation_reports import RegulationReport, RegulationReportKind
from registers.models.saved_views import SavedView
from registers.models.settings import RegistrationStatus, Setting, Trend
from registers.models.spot_funds import FundApplicantKind, FundStatus, SpotFundApplication
from registers.models.visit_reports import VisitReport
from registers.models.visits import (
    CalendarFeed,
    Visit,
    VisitKind,
    VisitReason,
    VisitStatus,
)

__all__ = [
    "Weekday",
    "ServiceType",
    "RoundKind",
    "ResponseChannel",
    "ResponseAnswer",
    "ReferralUserObjectPermission",
    "ReferralStatus",
    "ReferralSchedule",
    "ReferralRound",
    "ReferralResponse",
    "ReferralInvitation",
    "ReferralGroupObjectPermission",
    "Referral",
    "AgeBand",
    "AccessEvent",
    "AccessEventKind",
    "ActionItem",
    "ActionStatus",
    "ApprovalStatus",
    "AuthoriserRole",
    "Authority",
    "AuthoritySetting",
    "CalendarFeed",
    "CareOrSupport",
    "CheckOutcome",
    "ComplianceDocument",
    "ComplianceDocumentKind",
    "Concern",
    "ConcernCategory",
    "ConcernEscalation",
    "ConcernStage",
    "Contract",
    "ContractDocument",
    "ContractGroupObjectPermission",
    "ContractReview",
    "ContractStatus",
    "ContractUserObjectPermission",
    "ContractVariation",
    "DocumentKind",
    "Enforcement",
    "EnforcementKind",
    "Framework",
    "FrameworkKind",
    "FundApplicantKind",
    "FundStatus",
    "ExportJob",
    "ExportJobStatus",
    "ImportJob",
    "ImportJobMode",
    "ImportJobStatus",
    "ImportRun",
    "Inspection",
    "InspectionType",
    "Judgement",
    "KpiOutcome",
    "NotificationPreference",
    "ReminderKind",
    "RoleReminderDefault",
    "LetterKind",
    "LetterTemplate",
    "Lot",
    "PlacementCheck",
    "PlacementDecision",
    "PlacementType",
    "PortalPermission",
    "ProcurementRoute",
    "SavedView",
    "Provider",
    "Rag",
    "RegistrationStatus",
    "RegulationReport",
    "RegulationReportKind",
    "ReminderLog",
    "Sector",
    "Setting",
    "SpotFundApplication",
    "StaticOrMobile",
    "TenderType",
    "Trend",
    "VariationKind",
    "Visit",
    "VisitFrequency",
    "VisitGroupObjectPermission",
    "VisitKind",
    "VisitReason",
    "VisitReport",
    "VisitStatus",
    "VisitUserObjectPermission",
]
