"""The knowledge-transfer matrix: each operational runbook step × each receiving team, and its rung.

A team stands on the highest rung any of its people (lead and members) reached on the step
(runbook.ladder says what counts). When the plan requires it, every operational step must be
performed unaided by each team before the team signs off; the sign-off gate lists the missing rungs.
"""

from dataclasses import dataclass

from runbook.interface import Rung, operational_step_ladders


@dataclass(frozen=True)
class LadderCell:
    team: object
    rung: Rung
    person: object | None  # who reached the rung for the team
    occasion: str

    @property
    def label(self) -> str:
        return self.rung.label

    @property
    def is_unaided(self) -> bool:
        return self.rung == Rung.UNAIDED


@dataclass(frozen=True)
class LadderRow:
    step: object
    cells: list[LadderCell]


def _people(team) -> dict[int, object]:
    people = {member.pk: member for member in team.members.all()}
    people[team.lead_id] = team.lead
    return people


def knowledge_matrix(release, teams) -> list[LadderRow]:
    """Rows in runbook order, cells in the order of `teams` (their lead and members loaded)."""
    people_by_team = [(team, _people(team)) for team in teams]
    rows = []
    for ladder in operational_step_ladders(release):
        cells = []
        for team, people in people_by_team:
            person_id, climb = ladder.climb_of(people)
            cells.append(LadderCell(team, climb.rung, people.get(person_id), climb.occasion))
        rows.append(LadderRow(ladder.step, cells))
    return rows


def missing_rungs_for_team(overview, progress) -> list[str]:
    """The sign-off gate's sentences for the operational steps the team has not performed unaided yet.

    Nothing unless the plan requires it. The matrix is computed once per overview.
    """
    if not overview.plan.require_unaided_operational_steps:
        return []
    missing = []
    for row in overview.knowledge_matrix:
        cell = next(cell for cell in row.cells if cell.team.pk == progress.team.pk)
        if not cell.is_unaided:
            so_far = "" if cell.rung == Rung.NONE else f" (so far: {cell.label})"
            missing.append(f"{row.step.title}: not yet performed unaided by {progress.team.name}{so_far}.")
    return missing
