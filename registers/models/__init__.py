from registers.models.access import (
    ContractGroupObjectPermission,
    ContractUserObjectPermission,
    PortalPermission,
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
from registers.models.frameworks import Framework, FrameworkKind, Lot
from registers.models.import_jobs import ImportJob, ImportJobStatus
from registers.models.imports import ImportRun
from registers.models.inspections import Inspection, InspectionType, Judgement
from registers.models.letter_templates import LetterKind, LetterTemplate
from registers.models.providers import ApprovalStatus, Provider, Sector
from registers.models.regulation_reports import RegulationReport, RegulationReportKind
from registers.models.settings import RegistrationStatus, Setting, Trend
from registers.models.spot_funds import FundApplicantKind, FundStatus, SpotFundApplication
from registers.models.visits import (
    CalendarFeed,
    Visit,
    VisitKind,
    VisitReason,
    VisitStatus,
)

__all__ = [
    "AccessEvent",
    "AccessEventKind",
    "ActionItem",
    "ActionStatus",
    "ApprovalStatus",
    "AuthoriserRole",
    "Authority",
    "AuthoritySetting",
    "CalendarFeed",
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
    "ImportJob",
    "ImportJobStatus",
    "ImportRun",
    "Inspection",
    "InspectionType",
    "Judgement",
    "KpiOutcome",
    "LetterKind",
    "LetterTemplate",
    "Lot",
    "PortalPermission",
    "ProcurementRoute",
    "Provider",
    "Rag",
    "RegistrationStatus",
    "RegulationReport",
    "RegulationReportKind",
    "ReminderLog",
    "Sector",
    "Setting",
    "SpotFundApplication",
    "TenderType",
    "Trend",
    "VariationKind",
    "Visit",
    "VisitGroupObjectPermission",
    "VisitKind",
    "VisitReason",
    "VisitStatus",
    "VisitUserObjectPermission",
]
