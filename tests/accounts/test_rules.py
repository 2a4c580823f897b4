"""The permissions table: the documentation shows it as it is, and the stand-in users that print
it answer as real users with real role assignments do."""

from pathlib import Path

import pytest

from accounts.rules import (
    ROLE_ACTIONS,
    ROLE_COLUMNS,
    RULES,
    _object_for,
    _StandIn,
    has_rule,
    role_table,
)
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("document", ["README.md", "SECURITY.md"])
def test_the_documents_show_the_rules_table(document):
    text = (ROOT / document).read_text()
    start = text.index("<!-- role-table:start")
    start = text.index("\n", start) + 1
    end = text.index("<!-- role-table:end -->")
    assert text[start:end].strip() == role_table(), (
        f"{document}: paste accounts.rules.role_table() between the role-table markers"
    )


def test_every_documented_action_is_a_rule():
    assert {name for _label, name, _kind in ROLE_ACTIONS} <= set(RULES)


def test_an_unknown_rule_is_an_error_not_a_refusal(ars):
    with pytest.raises(KeyError):
        has_rule(ars, "clusters.chnage_cluster")


def _real_user(role, region_code):
    makers = {
        "ars": lambda: factories.ars_user(region_code),
        "aract": lambda: factories.aract_user(region_code),
        "national": factories.national_user,
        "programme": factories.programme_user,
        "admin": factories.admin_user,
    }
    return makers[role]()


@pytest.mark.parametrize("role", [role for _label, role in ROLE_COLUMNS])
def test_the_printed_table_is_what_real_users_get(role):
    """Each line of the table, for a real user of `role` (region 11) and a real cluster of
    region 11 (or 53 for "other"; assigned to the user for "facilitated")."""
    user = _real_user(role, "11")
    own = factories.ClusterFactory(region_code="11")
    other = factories.ClusterFactory(region_code="53", wave=own.wave)
    facilitated = factories.ClusterFactory(region_code="11", wave=own.wave)
    if role == "aract":
        facilitated.facilitators.add(user)
    objects = {None: None, "own": own, "other": other, "facilitated": facilitated}
    stand_in = _StandIn(role)
    for label, name, kind in ROLE_ACTIONS:
        printed = has_rule(stand_in, name, _object_for(kind, stand_in))
        assert has_rule(user, name, objects[kind]) == printed, (role, label)
