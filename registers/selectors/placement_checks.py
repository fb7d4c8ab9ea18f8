"""Reads over placement checks: whether a setting is registered, and the
documents a check shows (from the compliance register, never a copy)."""

from datetime import date

from registers.models import PlacementCheck, RegistrationStatus, Setting
from registers.selectors.compliance import KindStatus, setting_document_statuses


def ofsted_registered(setting: Setting) -> bool:
    """Registered with Ofsted, and able to take a child: a URN and an active
    registration (a suspended, resigned, closed or cancelled one is not)."""
    return bool(setting.urn) and setting.registration_status == RegistrationStatus.ACTIVE


def registration_described(setting: Setting) -> str:
    if not setting.urn:
        return "it has no Ofsted URN"
    if setting.registration_status != RegistrationStatus.ACTIVE:
        return f"its registration is {setting.get_registration_status_display().lower()}"
    return "it is registered"


def check_documents(check: PlacementCheck, *, today: date) -> list[KindStatus]:
    """Each placement kind's document for the check's setting, and its state."""
    if check.setting_id is None:
        return []
    return setting_document_statuses(check.setting, today=today)
