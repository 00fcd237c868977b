"""Handover's refusals come from its named rules: each check names a registered predicate, and a
service passes only the rule's name (never its own words)."""

import ast
import pathlib

import pytest
from django.core.exceptions import PermissionDenied

from golive.permissions import PREDICATES
from handover.permissions import HANDOVER_RULES, require_handover

SERVICES = pathlib.Path(__file__).resolve().parents[2] / "handover" / "services"


@pytest.mark.parametrize("rule", sorted(HANDOVER_RULES))
def test_every_check_of_a_rule_names_a_registered_predicate(rule):
    assert HANDOVER_RULES[rule]
    for check in HANDOVER_RULES[rule]:
        assert check.predicate in PREDICATES


def test_services_name_an_existing_rule_and_pass_no_words():
    for path in SERVICES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "require_handover":
                rule = node.args[1]
                assert isinstance(rule, ast.Constant) and rule.value in HANDOVER_RULES, path.name
                assert len(node.args) == 3 and not node.keywords, path.name


@pytest.mark.django_db
def test_a_refusal_says_the_rule_sentence_with_the_team_name(support_team, stranger):
    with pytest.raises(PermissionDenied, match=f"Only the lead of {support_team.name} may change the team"):
        require_handover(stranger, "change_team_members", support_team)
