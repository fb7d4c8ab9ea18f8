"""Which wording a council's letter uses: its own template, or the default."""

from registers.models import LetterTemplate


def letter_template_for(*, authority_id: int, kind: str) -> LetterTemplate | None:
    """The council's own template of this kind, if it has written one."""
    return LetterTemplate.objects.filter(authority_id=authority_id, kind=kind).first()
