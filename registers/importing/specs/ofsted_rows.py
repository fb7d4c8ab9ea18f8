"""What both kinds of Ofsted file do with a setting's row: Ofsted's spellings,
the region, the stored settings by URN, the date a file describes, and the
registration status with the date it took effect."""

import re
from datetime import date

from registers.importing.cells import as_text
from registers.importing.specs.ofsted_columns import (
    GOVERNMENT_OFFICE_REGION,
    LOCAL_AUTHORITY,
    PROVISION_TYPE,
    REGISTRATION_STATUS,
    URN,
)
from registers.models import RegistrationStatus, Setting
from registers.ofsted_vocabulary import local_authority_spelling, provision_type_spelling
from registers.permissions import permitted


def spell_as_register(setting: Setting, row, result) -> None:
    """One spelling for the provision type and the local authority; Ofsted's own
    kept where it differs. A type the register does not know is imported as
    published, with a warning."""
    raw_type = row.values.get(PROVISION_TYPE)
    if isinstance(raw_type, str) and raw_type:
        spelled, known = provision_type_spelling(raw_type)
        setting.provision_type = spelled
        setting.provision_type_as_published = "" if spelled == raw_type else raw_type
        if not known:
            result.add_warning(
                "is not a provision type the register knows: imported as published",
                row=row.number,
                column=PROVISION_TYPE,
                value=raw_type,
            )
    raw_authority = row.values.get(LOCAL_AUTHORITY)
    if isinstance(raw_authority, str) and raw_authority:
        spelled, _ = local_authority_spelling(raw_authority)
        setting.local_authority = spelled
        setting.local_authority_as_published = "" if spelled == raw_authority else raw_authority


def fill_region(setting: Setting, row) -> None:
    """Older files give only the Government Office Region."""
    region = row.values.get(GOVERNMENT_OFFICE_REGION)
    if not setting.ofsted_region and isinstance(region, str) and region:
        setting.ofsted_region = region


CHUNK = 5000


def settings_by_urn(rows, user) -> dict[str, Setting]:
    """The settings the rows name that the importer may see, by URN."""
    urns = sorted({row.values[URN] for row in rows})
    visible = permitted(user, ("view", "change"), Setting.objects.all())
    found: dict[str, Setting] = {}
    for start in range(0, len(urns), CHUNK):
        for setting in visible.filter(urn__in=urns[start : start + CHUNK]):
            found[setting.urn] = setting
    return found


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
AS_AT_RE = re.compile(r"(\d{1,2})[ _-]+(" + "|".join(MONTHS) + r")[a-z]*[ _-]+(\d{4})", re.I)
YEAR_RE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def as_at_date(table, file_name: str, search_rows: int) -> date | None:
    """The date a file describes ("... as at 31 March 2023"), from its title rows,
    its header or its name; a bare year in the name means 31 March, the end of
    Ofsted's year. None when nothing says."""
    texts = [as_text(c) for _, cells in table.rows[:search_rows] for c in cells if c]
    for text in [*texts, file_name]:
        match = AS_AT_RE.search(text)
        if match:
            day, month, year = match.groups()
            try:
                return date(int(year), MONTHS.index(month[:3].lower()) + 1, int(day))
            except ValueError:
                continue
    match = YEAR_RE.search(file_name)
    return date(int(match.group(1)), 3, 31) if match else None


def settle_registration(change, row, result, *, since: date | None, as_at: date | None) -> None:
    """The registration status a row gives, with the date it took effect (or, not
    given, the date the file describes). An older file never overwrites a
    status the register knows to be newer."""
    setting = change.obj
    if not change.is_new and not change.changed("registration_status"):
        if since and not setting.registration_status_since:
            setting.registration_status_since = since
        return
    held = change.before.registration_status_since if change.before else None
    effective = since or as_at
    if held and effective and effective < held:
        status = RegistrationStatus(setting.registration_status).label
        setting.registration_status = change.before.registration_status
        result.add_warning(
            f"took effect on {effective:%d/%m/%Y}, before the status the register holds "
            f"({RegistrationStatus(setting.registration_status).label} since "
            f"{held:%d/%m/%Y}): left as it is",
            row=row.number,
            column=REGISTRATION_STATUS,
            value=status,
        )
        return
    setting.registration_status_since = effective
