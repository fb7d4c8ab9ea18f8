"""The council's own letters: a fixed set of named placeholders, checked on
save, filled by plain substitution (never a template evaluated from the database)."""

import pytest

from registers import roles
from registers.changes import Refused
from registers.letters import PLACEHOLDERS, letter_fill, placeholder_problems
from registers.models import LetterKind, LetterTemplate
from registers.services.letter_templates import DEFAULTS, letter_template_save, letter_wording
from tests.factories import AuthorityFactory, LetterTemplateFactory, home_authority

pytestmark = pytest.mark.django_db


def new_template(**values) -> LetterTemplate:
    defaults = {
        "kind": LetterKind.CONCERN_STAGE_3,
        "title": "Notice: {setting}",
        "body": "Dear {provider},\n\n{concern}\n\n{officer}",
    }
    return LetterTemplate(**{**defaults, **values})


class TestPlaceholders:
    def test_every_named_placeholder_is_accepted_and_filled(self):
        text = " ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        assert placeholder_problems(text) == []
        values = {name: name.upper() for name in PLACEHOLDERS}
        assert letter_fill(text, values) == " ".join(name.upper() for name in PLACEHOLDERS)

    @pytest.mark.parametrize(
        "text",
        [
            "{child_name}",
            "{provider.__class__}",
            "{provider!r}",
            "{provider:>10}",
            "{0}",
            "{}",
            "{{ settings.SECRET_KEY }}x{setting.__init__}",
        ],
    )
    def test_anything_else_in_braces_is_an_unknown_placeholder(self, text):
        problems = placeholder_problems(text)
        assert len(problems) == 1
        assert problems[0].startswith("Unknown placeholder {")
        assert "{provider}" in problems[0]  # the message lists those allowed

    def test_a_brace_left_open_is_refused(self):
        assert placeholder_problems("Dear {provider")[0].startswith("A brace '{'")
        assert placeholder_problems("closing } alone")[0].startswith("A brace '}'")

    def test_doubled_braces_are_literal_and_templates_are_not_evaluated(self):
        text = "{{provider}} {% load static %} {{% now 'Y' %}}"
        assert placeholder_problems("{{provider}}") == []
        assert letter_fill("{{provider}}", {"provider": "X"}) == "{provider}"
        assert letter_fill(text, {"provider": "X"}).startswith("{provider} {% load static %}")

    def test_a_value_is_not_filled_again(self):
        filled = letter_fill("{concern}", {"concern": "{officer}", "officer": "Jo"})
        assert filled == "{officer}"

    def test_the_default_wording_uses_only_known_placeholders(self):
        for wording in DEFAULTS.values():
            assert placeholder_problems(wording.title) == []
            assert placeholder_problems(wording.body) == []


class TestSaving:
    def test_a_manager_writes_the_councils_letter_for_their_authority(self, manager):
        template = letter_template_save(template=new_template(), user=manager)
        saved = LetterTemplate.objects.get(pk=template.pk)
        assert saved.authority == home_authority()
        assert saved.history.get().history_user == manager

    def test_an_unknown_placeholder_is_refused_naming_the_field(self, manager):
        with pytest.raises(Refused) as refused:
            letter_template_save(
                template=new_template(body="Dear {provider}, about {child_name}"), user=manager
            )
        messages = refused.value.message_dict
        assert list(messages) == ["body"]
        assert messages["body"][0].startswith("Unknown placeholder {child_name}.")
        assert not LetterTemplate.objects.exists()

    def test_the_title_is_checked_too(self, manager):
        with pytest.raises(Refused) as refused:
            letter_template_save(template=new_template(title="About {urn!s}"), user=manager)
        assert list(refused.value.message_dict) == ["title"]

    def test_one_template_per_letter_per_council(self, manager):
        LetterTemplateFactory()
        with pytest.raises(Refused) as refused:
            letter_template_save(template=new_template(), user=manager)
        assert list(refused.value.message_dict) == ["kind"]

    @pytest.mark.parametrize(
        "role",
        [roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.COMMISSIONING_OFFICER, roles.AUDITOR],
    )
    def test_only_managers_write_letters(self, role, make_user):
        with pytest.raises(Refused, match="Only managers"):
            letter_template_save(template=new_template(), user=make_user(role))

    def test_each_council_has_its_own_wording_and_others_get_the_default(self):
        ours = LetterTemplateFactory(title="Ours")
        theirs = AuthorityFactory(name="Neighbouring Council")
        assert letter_wording(authority_id=ours.authority_id, kind=ours.kind).title == "Ours"
        assert letter_wording(authority_id=theirs.pk, kind=ours.kind) == DEFAULTS[ours.kind]
