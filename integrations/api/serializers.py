"""What the API reads and writes. Writes are checked here for shape only; the services do the rest."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from golive.choices import ReleaseStatus
from golive.field_limits import BoundedSerializerMixin
from golive.models import Release, ReleaseMembership
from gonogo.models import Decision, DecisionCondition
from integrations.gate import DeployGate, GateDecision
from integrations.services.deployments import REPORTABLE_STATUSES
from readiness.rules import BLOCKERS, COUNT_NAMES, FIGURE_NAMES, WARNINGS, ReadinessState
from registers.models import Defect, Risk


class UsernameField(serializers.SlugRelatedField):
    """An owner given by username: an active member of the view's release. An unknown username and a
    non-member get the same message, so the API does not tell which usernames exist."""

    default_error_messages = {
        "does_not_exist": "Not a member of this release.",
        "invalid": "Not a member of this release.",
        "blank": "Give a member's username, or null for no owner.",
    }

    def run_validation(self, data=serializers.empty):
        # DRF turns "" into null for relations; the schema (a username or null) does not allow "".
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(queryset=get_user_model().objects.none(), **kwargs)

    def get_queryset(self):
        release = self.context["view"].release
        # Through a subquery, so a member with several roles is still one user.
        members = ReleaseMembership.objects.filter(release=release).values("user")
        return get_user_model().objects.filter(is_active=True, pk__in=members)


class DecisionSummarySerializer(serializers.ModelSerializer):
    meeting_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "outcome", "decided_at", "override", "rationale", "meeting_id"]


class ConditionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = DecisionCondition
        fields = ["id", "text", "owner", "due_date", "overdue"]


ReadinessCountsSerializer = type(
    "ReadinessCountsSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "The counts the readiness rules read, and the figures shown beside them.",
        **{name: serializers.IntegerField(read_only=True) for name in COUNT_NAMES + FIGURE_NAMES},
    },
)


class ReadinessSerializer(serializers.Serializer):
    """The portfolio's readiness of a release (readiness.rules), the same answer as on every page."""

    state = serializers.ChoiceField(
        choices=ReadinessState.choices,
        read_only=True,
        help_text="blocked: something that stops a go is open ("
        + ", ".join(signal.count_name for signal in BLOCKERS)
        + "); at_risk: nothing blocks but something needs attention ("
        + ", ".join(signal.count_name for signal in WARNINGS)
        + "); ready otherwise.",
    )
    label = serializers.CharField(read_only=True)
    reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Why, in words: blockers first."
    )
    counts = ReadinessCountsSerializer(read_only=True)


class ReleaseSerializer(serializers.ModelSerializer):
    """A release with its readiness and deploy gate; the view passes `gates` ({release id: DeployGate}) in
    the context, and the release comes with readiness.rules.attach_readiness's `readiness`."""

    open_risk_count = serializers.IntegerField(read_only=True)
    open_defect_count = serializers.IntegerField(read_only=True)
    blocker_count = serializers.SerializerMethodField(
        help_text="Open blocking risks and defects (the portfolio's open blockers)."
    )
    readiness = ReadinessSerializer(read_only=True)
    latest_decision = serializers.SerializerMethodField()
    gate_decision = serializers.SerializerMethodField()
    needs_review = serializers.SerializerMethodField(
        help_text="The latest decision is a go and its evidence is worse now (see review_reasons)."
    )

    class Meta:
        model = Release
        fields = [
            "id",
            "name",
            "application",
            "version",
            "environment",
            "target_go_live",
            "status",
            "open_risk_count",
            "open_defect_count",
            "blocker_count",
            "readiness",
            "latest_decision",
            "gate_decision",
            "needs_review",
        ]

    def _gate(self, release: Release) -> DeployGate:
        return self.context["gates"][release.pk]

    def get_blocker_count(self, release: Release) -> int:
        return release.blocking_risk_count + release.blocking_defect_count

    @extend_schema_field(DecisionSummarySerializer(allow_null=True))
    def get_latest_decision(self, release: Release) -> dict | None:
        decision = self._gate(release).latest_decision
        return DecisionSummarySerializer(decision).data if decision else None

    @extend_schema_field(serializers.ChoiceField(choices=[decision.value for decision in GateDecision]))
    def get_gate_decision(self, release: Release) -> str:
        return self._gate(release).gate_decision.value

    def get_needs_review(self, release: Release) -> bool:
        return self._gate(release).needs_review


class BlockerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class BlockersSerializer(serializers.Serializer):
    risks = BlockerSerializer(many=True)
    defects = BlockerSerializer(many=True)


class ReleaseDetailSerializer(ReleaseSerializer):
    description = serializers.CharField(read_only=True)
    allowed_next_statuses = serializers.SerializerMethodField()
    blockers = serializers.SerializerMethodField()
    review_reasons = serializers.SerializerMethodField()
    open_conditions = serializers.SerializerMethodField()

    class Meta(ReleaseSerializer.Meta):
        fields = [
            *ReleaseSerializer.Meta.fields,
            "description",
            "allowed_next_statuses",
            "blockers",
            "review_reasons",
            "open_conditions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ReleaseStatus.choices)))
    def get_allowed_next_statuses(self, release: Release) -> list[str]:
        return release.allowed_next_statuses()

    @extend_schema_field(BlockersSerializer)
    def get_blockers(self, release: Release) -> dict:
        risks, defects = self.context["blockers"]
        return BlockersSerializer({"risks": risks, "defects": defects}).data

    def get_review_reasons(self, release: Release) -> list[str]:
        return self._gate(release).review_reasons

    @extend_schema_field(ConditionSerializer(many=True))
    def get_open_conditions(self, release: Release) -> list[dict]:
        return ConditionSerializer(self._gate(release).open_conditions, many=True).data


class GateSerializer(serializers.Serializer):
    """The deploy gate: may the pipeline deploy this release now?"""

    decision = serializers.ChoiceField(
        choices=[decision.value for decision in GateDecision],
        help_text="PENDING: no decision yet, or a new go/no-go meeting is under way. "
        "NO_QUORUM counts as NO_GO.",
    )
    may_deploy = serializers.BooleanField(
        help_text="GO or CONDITIONAL_GO, the decision does not need a review, no handover item needed "
        "before go-live is open, and no freeze window is in force (unless the release manager recorded an "
        "emergency override)."
    )
    release_id = serializers.IntegerField()
    release_status = serializers.ChoiceField(choices=ReleaseStatus.choices)
    recorded_outcome = serializers.CharField(allow_null=True, help_text="The decision as recorded, if any.")
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_id = serializers.IntegerField(allow_null=True)
    needs_review = serializers.BooleanField()
    review_reasons = serializers.ListField(child=serializers.CharField())
    freeze_reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Freeze windows in force, each named with its end and reason.",
    )
    freeze_overrides = serializers.ListField(
        child=serializers.CharField(), help_text="Emergency overrides that let this release through a freeze."
    )
    open_conditions = ConditionSerializer(many=True)
    meeting_in_progress_id = serializers.IntegerField(allow_null=True)
    handover_blockers = serializers.ListField(
        child=serializers.CharField(),
        help_text="Handover items needed before go-live that are neither accepted nor waived, by name.",
    )


class RiskSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    owner = UsernameField()
    score = serializers.IntegerField(read_only=True)
    blocking = serializers.BooleanField(source="is_blocking", read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "title",
            "description",
            "probability",
            "impact",
            "score",
            "owner",
            "mitigation",
            "contingency",
            "contingency_accepted",
            "status",
            "external_key",
            "blocking",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness of the tracker key is the service's and the database's to check, with one message.
        validators = []


class RiskUpsertSerializer(RiskSerializer):
    external_key = serializers.CharField(max_length=100, help_text="The tracker's key, e.g. RISK-42.")


class DefectSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    owner = UsernameField()
    blocking = serializers.BooleanField(source="is_blocking", read_only=True)

    class Meta:
        model = Defect
        fields = [
            "id",
            "title",
            "description",
            "severity",
            "status",
            "workaround",
            "external_key",
            "external_url",
            "blocks_go_live",
            "owner",
            "blocking",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness of the tracker key is the service's and the database's to check, with one message.
        validators = []


class DefectUpsertSerializer(DefectSerializer):
    external_key = serializers.CharField(max_length=100, help_text="The tracker's key, e.g. JIRA-1234.")


class DeploymentReportSerializer(BoundedSerializerMixin, serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(status.value, status.label) for status in REPORTABLE_STATUSES],
        help_text="deploying: the deployment started (from go); live: it finished (from deploying); "
        "rolled_back: it was undone.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    pipeline_url = serializers.URLField(required=False, allow_blank=True, max_length=500, default="")


class DeploymentResultSerializer(serializers.Serializer):
    release_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReleaseStatus.choices)
    changed = serializers.BooleanField(help_text="False when the release already had this status.")


class CheckResultSerializer(serializers.Serializer):
    check_name = serializers.CharField()
    outcome = serializers.CharField(help_text="pending, running, passed, failed, error or missed.")
    http_status = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    finished_at = serializers.DateTimeField(allow_null=True)


class SmokeRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    release_id = serializers.IntegerField()
    status = serializers.CharField(help_text="queued, running, passed, failed or errored.")
    trigger = serializers.CharField(help_text="manual, command, runbook or api: what started the run.")
    finished = serializers.BooleanField(source="is_finished", help_text="Poll until this is true.")
    passed = serializers.SerializerMethodField(
        help_text="True only for a finished run whose checks all passed."
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(help_text="Why the run errored, if it did.")
    dispatch_error = serializers.CharField(help_text="Set while no worker could be reached.")
    results = CheckResultSerializer(many=True)

    def get_passed(self, run) -> bool:
        return run.status == "passed"


class SmokeRunStartSerializer(BoundedSerializerMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    pipeline_url = serializers.URLField(required=False, allow_blank=True, max_length=500, default="")
