"""Letters a council words for itself, and their PDFs.

Managers keep each council's templates. The text holds only the named
placeholders of registers/letters.py, checked on every save; it is filled by
plain substitution, never evaluated as a template, and escaped as HTML by the
PDF template. A council with no template of its own gets the default wording.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from registers.changes import Change, ErrorCollector, Refusal
from registers.letters import letter_fill
from registers.models import LetterKind, LetterTemplate
from registers.pdfs import pdf_render
from registers.permissions import Actor
from registers.selectors.letter_templates import letter_template_for
from registers.services.checks import check_basics, write_records
from registers.services.recording import save_one

logger = logging.getLogger(__name__)

PDF_TEMPLATE = "registers/pdf/letter.html"


@dataclass(frozen=True)
class Wording:
    title: str
    body: str


DEFAULTS: dict[str, Wording] = {
    LetterKind.CONCERN_STAGE_3: Wording(
        title="Formal notice of concern: {setting}",
        body=(
            "To the registered manager and responsible individual of {provider},\n\n"
            "Re: {setting} (Ofsted URN {urn})\n\n"
            "On {raised_on} {authority} raised a {category} concern about the care and "
            "support provided at {setting}:\n\n"
            "{concern}\n\n"
            "We have not been able to resolve this concern with you at stages 1 and 2 of our "
            "provider concerns procedure. On {stage_date} it was escalated to stage 3, a formal "
            "letter to the provider.\n\n"
            "Please send us, within 10 working days of this letter, a written response with "
            "an action plan that says how and by when the concern will be put right. If the "
            "concern is not resolved it will be escalated to stage 4, and the Safeguarding "
            "Partnership will be informed.\n\n"
            "Yours sincerely,\n\n"
            "{officer}\n"
            "Commissioning and Quality Assurance, {authority}\n"
            "{today}"
        ),
    ),
}


def letter_templates_check(
    *, changes: Sequence[Change[LetterTemplate]], user: Actor, **_
) -> list[Refusal]:
    """The placeholders are checked by LetterTemplate.clean (the row's own text)."""
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="Only managers write the council's letters.",
        change_refused="Only managers change the council's letters.",
    )
    for change in changes:
        template = change.obj
        if change.is_new and template.authority_id and template.kind:
            taken = LetterTemplate.objects.filter(
                authority_id=template.authority_id, kind=template.kind
            ).exists()
            if taken:
                errors.add(
                    change, "The council already has a template for this letter: change it.", "kind"
                )
    return errors.refusals()


def letter_templates_write(*, changes: Sequence[Change], user: Actor, reason: str, **_) -> None:
    write_records(
        changes, user=user, reason=reason, logger=logger, event="letter_templates.written"
    )


def letter_template_save(
    *, template: LetterTemplate, user: Actor, reason: str = ""
) -> LetterTemplate:
    return save_one(
        template,
        check=letter_templates_check,
        write=letter_templates_write,
        user=user,
        reason=reason or ("Letter changed" if template.pk else "Letter written"),
    )


def letter_wording(*, authority_id: int, kind: str) -> Wording:
    """The council's own wording of the letter, or the default."""
    own = letter_template_for(authority_id=authority_id, kind=kind)
    if own is not None:
        return Wording(title=own.title, body=own.body)
    return DEFAULTS[kind]


def letter_pdf(
    *, authority_id: int, authority_name: str, kind: str, values: Mapping[str, str]
) -> bytes:
    """The letter filled in with ``values`` and rendered as a PDF."""
    wording = letter_wording(authority_id=authority_id, kind=kind)
    body = letter_fill(wording.body, values)
    paragraphs = [part.strip("\n") for part in body.replace("\r\n", "\n").split("\n\n")]
    return pdf_render(
        template=PDF_TEMPLATE,
        context={
            "title": letter_fill(wording.title, values),
            "paragraphs": [p for p in paragraphs if p.strip()],
            "authority_name": authority_name,
            "document_label": LetterKind(kind).label,
        },
    )
