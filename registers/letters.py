"""Letters the council writes itself: plain text with a fixed set of named
placeholders such as ``{provider}``.

The text comes from the database, so it is never evaluated as a template (no
Django or Jinja): each ``{name}`` is replaced by a plain value, ``{{`` and
``}}`` stand for literal braces, and the PDF template escapes the result as
HTML. Any other name, or a brace left open, is refused when the text is saved.
"""

import re
from collections.abc import Mapping

# The only names a letter may use, with what each becomes (shown on the form).
PLACEHOLDERS: dict[str, str] = {
    "authority": "the council's name",
    "provider": "the provider's name",
    "setting": "the setting's name",
    "urn": "the setting's Ofsted URN",
    "concern": "the concern as described when raised",
    "category": "the concern's category",
    "raised_on": "the date the concern was raised (DD/MM/YYYY)",
    "stage": "the stage the concern has reached",
    "stage_date": "the date the stage started (DD/MM/YYYY)",
    "officer": "the name of the officer escalating the concern",
    "today": "the date the letter is generated (DD/MM/YYYY)",
}

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def placeholder_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of ``text``: an empty list when none."""
    problems: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        piece = match.group(0)
        if piece in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            problems.append(
                f"A brace '{piece}' is not part of a placeholder: write {{{{ or }}}} "
                "for a literal brace."
            )
        elif name not in PLACEHOLDERS:
            problems.append(
                f"Unknown placeholder {{{name}}}. Use only: "
                + ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)
                + "."
            )
    return list(dict.fromkeys(problems))


def letter_fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by its plain value (not yet escaped:
    the PDF template escapes it). Unknown names are left as written."""

    def replace(match: re.Match) -> str:
        piece = match.group(0)
        if piece == "{{":
            return "{"
        if piece == "}}":
            return "}"
        name = match.group(1)
        if name is not None and name in PLACEHOLDERS:
            return str(values.get(name, ""))
        return piece

    return _TOKEN.sub(replace, text or "")
