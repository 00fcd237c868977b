import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonogo.decision_rule import Ballot, Choice, Outcome, Rule, decide_outcome

GO, COND, NO = Choice.GO, Choice.GO_WITH_CONDITIONS, Choice.NO_GO


def ballot(choice, *, required=False, veto=False, name=None):
    return Ballot(participant=name or f"p-{id(object())}", required=required, can_veto=veto, choice=choice)


CASES = [
    # (description, ballots, rule, expected outcome; None means the chair decides)
    ("all go", [ballot(GO, required=True, veto=True), ballot(GO)], Rule.UNANIMOUS, Outcome.GO),
    ("one conditional", [ballot(GO, required=True), ballot(COND)], Rule.UNANIMOUS, Outcome.CONDITIONAL_GO),
    (
        "veto no-go beats everything",
        [ballot(NO, veto=True), ballot(GO), ballot(GO)],
        Rule.UNANIMOUS,
        Outcome.NO_GO,
    ),
    ("required voter missing", [ballot(None, required=True), ballot(GO)], Rule.UNANIMOUS, Outcome.NO_QUORUM),
    (
        "veto beats missing quorum",
        [ballot(None, required=True), ballot(NO, veto=True)],
        Rule.UNANIMOUS,
        Outcome.NO_GO,
    ),
    ("optional non-voter is ignored", [ballot(GO, required=True), ballot(None)], Rule.UNANIMOUS, Outcome.GO),
    ("nobody voted", [ballot(None), ballot(None)], Rule.UNANIMOUS, Outcome.NO_QUORUM),
    ("no participants", [], Rule.UNANIMOUS, Outcome.NO_QUORUM),
    ("plain no-go goes to the chair", [ballot(GO, required=True), ballot(NO)], Rule.UNANIMOUS, None),
    ("no-go and conditional go to the chair", [ballot(COND), ballot(NO)], Rule.UNANIMOUS, None),
    ("majority go", [ballot(GO), ballot(GO), ballot(NO)], Rule.MAJORITY, Outcome.GO),
    (
        "majority with conditions",
        [ballot(GO), ballot(COND), ballot(NO)],
        Rule.MAJORITY,
        Outcome.CONDITIONAL_GO,
    ),
    ("majority no-go", [ballot(GO), ballot(NO), ballot(NO)], Rule.MAJORITY, Outcome.NO_GO),
    ("majority tie to the chair", [ballot(GO), ballot(NO)], Rule.MAJORITY, None),
    ("majority keeps vetoes", [ballot(GO), ballot(GO), ballot(NO, veto=True)], Rule.MAJORITY, Outcome.NO_GO),
    (
        "majority keeps quorum",
        [ballot(GO), ballot(GO), ballot(None, required=True)],
        Rule.MAJORITY,
        Outcome.NO_QUORUM,
    ),
]


@pytest.mark.parametrize(("ballots", "rule", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decision_rule(ballots, rule, expected):
    result = decide_outcome(ballots, rule)
    assert result.outcome == expected
    assert result.chair_decides is (expected is None)
    assert result.reasons, "every outcome explains itself"


def test_reasons_name_the_people():
    result = decide_outcome([ballot(NO, veto=True, name="owner"), ballot(GO, name="dev")])
    assert result.reasons == ["Vetoed (no-go) by owner."]
    result = decide_outcome([ballot(None, required=True, name="manager"), ballot(GO, name="dev")])
    assert "manager" in result.reasons[0]


ballots_strategy = st.lists(
    st.builds(
        Ballot,
        participant=st.text(min_size=1, max_size=5),
        required=st.booleans(),
        can_veto=st.booleans(),
        choice=st.sampled_from([None, GO, COND, NO]),
    ),
    max_size=12,
)


@given(ballots=ballots_strategy, rule=st.sampled_from(list(Rule)))
def test_never_go_with_a_veto_or_a_missing_required_voter(ballots, rule):
    vetoed = any(b.can_veto and b.choice == NO for b in ballots)
    missing = any(b.required and b.choice is None for b in ballots)
    result = decide_outcome(ballots, rule)
    if vetoed or missing:
        assert result.outcome in (Outcome.NO_GO, Outcome.NO_QUORUM)
        assert not result.chair_decides


@given(ballots=ballots_strategy)
def test_unanimous_go_only_when_every_cast_vote_is_go(ballots):
    result = decide_outcome(ballots, Rule.UNANIMOUS)
    if result.outcome == Outcome.GO:
        assert all(b.choice == GO for b in ballots if b.choice is not None)
        assert any(b.choice is not None for b in ballots)


@pytest.mark.parametrize(
    "names, reason",
    [
        (["Ana"], "Required voter did not vote: Ana."),
        (["Ana", "Ben"], "Required voters did not vote: Ana, Ben."),
    ],
)
def test_missing_required_voters_are_named_in_proper_words(names, reason):
    result = decide_outcome([ballot(None, name=name, required=True) for name in names])
    assert result.outcome == Outcome.NO_QUORUM
    assert result.reasons == [reason]
