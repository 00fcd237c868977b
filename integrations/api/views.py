"""The pipeline API (/api/v1/). Views only translate HTTP: the services write, golive.permissions decides.

Every view under /releases/{release_pk}/ names the action its reads and its writes need; the permission
class looks the release up through the user (stranger: 404, member without the right: 403).
"""

from collections.abc import Callable
from contextlib import contextmanager

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, UniqueConstraint
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from communications.services.tracker_sync import upsert_defect, upsert_risk
from golive.models import Release
from golive.permissions import Action, releases_visible_to
from integrations.api.errors import Conflict
from integrations.api.metadata import ReleaseScopedMetadata
from integrations.api.permissions import ReleaseRolePermission, ReleaseScopedMixin
from integrations.api.serializers import (
    DefectSerializer,
    DefectUpsertSerializer,
    DeploymentReportSerializer,
    DeploymentResultSerializer,
    GateSerializer,
    ReleaseDetailSerializer,
    ReleaseSerializer,
    RiskSerializer,
    RiskUpsertSerializer,
    SmokeRunSerializer,
    SmokeRunStartSerializer,
)
from integrations.gate import blockers_of, deploy_gate, deploy_gates_for
from integrations.services.deployments import report_deployment
from readiness.rules import attach_readiness, with_readiness_counts
from registers.models import Defect, Risk
from registers.services.defects import create_defect, update_defect
from registers.services.risks import create_risk, update_risk
from smoketests.choices import RunTrigger
from smoketests.models import SmokeRun
from smoketests.services.runs import start_smoke_run

API_PERMISSIONS = [IsAuthenticated, ReleaseRolePermission]


@contextmanager
def uniqueness_as_conflict(model: type[Model]):
    """A value another record of the release already holds (a tracker key) conflicts with the release's
    current state: 409, as the schema documents, not 400 as for a malformed value."""
    unique_messages = {
        str(constraint.get_violation_error_message())
        for constraint in model._meta.constraints
        if isinstance(constraint, UniqueConstraint)
    }
    try:
        yield
    except DjangoValidationError as error:
        if unique_messages & set(error.messages):
            raise Conflict(" ".join(error.messages)) from None
        raise


class ApiViewMixin:
    """Authentication is DRF's (token or session), so Django's login-required middleware stands aside."""

    permission_classes = API_PERMISSIONS
    metadata_class = ReleaseScopedMetadata

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


class ReleaseListView(ApiViewMixin, generics.ListAPIView):
    """Releases you are a member of, with their readiness and deploy-gate decision."""

    serializer_class = ReleaseSerializer

    def get_queryset(self):
        return with_readiness_counts(releases_visible_to(self.request.user)).order_by("target_go_live", "pk")

    def list(self, request, *args, **kwargs):
        page = attach_readiness(self.paginate_queryset(self.get_queryset()))
        serializer = self.get_serializer(page, many=True, context={"gates": deploy_gates_for(page)})
        return self.get_paginated_response(serializer.data)


class ReleaseDetailView(ReleaseScopedMixin, ApiViewMixin, generics.GenericAPIView):
    serializer_class = ReleaseDetailSerializer

    def get(self, request, release_pk: int):
        release = attach_readiness(with_readiness_counts(Release.objects.filter(pk=self.release.pk)))[0]
        context = {"gates": deploy_gates_for([release]), "blockers": blockers_of(release)}
        return Response(self.get_serializer(release, context=context).data)


class GateView(ReleaseScopedMixin, ApiViewMixin, APIView):
    @extend_schema(responses=GateSerializer, summary="The deploy gate: may this release be deployed now?")
    def get(self, request, release_pk: int):
        gate = deploy_gate(self.release)
        decision = gate.latest_decision
        body = {
            "decision": gate.gate_decision.value,
            "may_deploy": gate.may_deploy,
            "release_id": self.release.pk,
            "release_status": self.release.status,
            "recorded_outcome": decision.outcome if decision else None,
            "decided_at": decision.decided_at if decision else None,
            "decision_id": decision.pk if decision else None,
            "needs_review": gate.needs_review,
            "review_reasons": gate.review_reasons,
            "freeze_reasons": gate.freeze_reasons,
            "freeze_overrides": gate.freeze_overrides,
            "open_conditions": gate.open_conditions,
            "meeting_in_progress_id": gate.meeting_in_progress.pk if gate.meeting_in_progress else None,
            "handover_blockers": gate.handover_blockers,
        }
        return Response(GateSerializer(body).data)


class RecordListCreateView(ReleaseScopedMixin, ApiViewMixin, generics.ListCreateAPIView):
    """A release's risks or defects; subclasses name the model and the service that creates one."""

    model: type[Model]
    create_service: Callable[..., Model]

    def get_queryset(self):
        return self.model.objects.filter(release=self.release).select_related("owner", "release")

    def perform_create(self, serializer):
        with uniqueness_as_conflict(self.model):
            serializer.instance = self.create_service(
                release=self.release, actor=self.request.user, **serializer.validated_data
            )


class RecordDetailView(ReleaseScopedMixin, ApiViewMixin, generics.RetrieveUpdateAPIView):
    """One risk or defect; subclasses name the model, the updating service and its record argument."""

    model: type[Model]
    update_service: Callable[..., Model]
    record_argument: str

    def get_queryset(self):
        return self.model.objects.filter(release=self.release).select_related("owner", "release")

    def perform_update(self, serializer):
        with uniqueness_as_conflict(self.model):
            serializer.instance = self.update_service(
                **{self.record_argument: serializer.instance},
                actor=self.request.user,
                **serializer.validated_data,
            )
        # Generated columns (a risk's score) are computed by the database: read them back.
        serializer.instance.refresh_from_db()


class RiskListCreateView(RecordListCreateView):
    """The release's risks; creating one needs the right to edit risks."""

    serializer_class = RiskSerializer
    write_action = Action.EDIT_RISKS
    model = Risk
    create_service = staticmethod(create_risk)


class RiskDetailView(RecordDetailView):
    serializer_class = RiskSerializer
    write_action = Action.EDIT_RISKS
    model = Risk
    update_service = staticmethod(update_risk)
    record_argument = "risk"


class DefectListCreateView(RecordListCreateView):
    """The release's defects; creating one needs the right to edit defects."""

    serializer_class = DefectSerializer
    write_action = Action.EDIT_DEFECTS
    model = Defect
    create_service = staticmethod(create_defect)


class DefectDetailView(RecordDetailView):
    serializer_class = DefectSerializer
    write_action = Action.EDIT_DEFECTS
    model = Defect
    update_service = staticmethod(update_defect)
    record_argument = "defect"


class RecordUpsertView(ReleaseScopedMixin, ApiViewMixin, generics.GenericAPIView):
    """PUT with a tracker key: creates the record (201) or updates it (200); a repeat changes nothing."""

    output_serializer_class = None
    upsert_service = None

    def put(self, request, release_pk: int):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = self.upsert_service(release=self.release, actor=request.user, **serializer.validated_data)
        return Response(
            self.output_serializer_class(result.record).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


@extend_schema_view(
    put=extend_schema(
        summary="Create or update the defect with this tracker key (idempotent)",
        responses={200: DefectSerializer, 201: DefectSerializer},
    )
)
class DefectUpsertView(RecordUpsertView):
    serializer_class = DefectUpsertSerializer
    output_serializer_class = DefectSerializer
    write_action = Action.EDIT_DEFECTS
    upsert_service = staticmethod(upsert_defect)


@extend_schema_view(
    put=extend_schema(
        summary="Create or update the risk with this tracker key (idempotent)",
        responses={200: RiskSerializer, 201: RiskSerializer},
    )
)
class RiskUpsertView(RecordUpsertView):
    serializer_class = RiskUpsertSerializer
    output_serializer_class = RiskSerializer
    write_action = Action.EDIT_RISKS
    upsert_service = staticmethod(upsert_risk)


class DeploymentReportView(ReleaseScopedMixin, ApiViewMixin, generics.GenericAPIView):
    serializer_class = DeploymentReportSerializer
    write_action = Action.MOVE_RELEASE_STATUS

    @extend_schema(
        summary="Report a deployment: go → deploying, deploying → live (or rolled back)",
        responses={200: DeploymentResultSerializer, 409: OpenApiResponse(description="Illegal move")},
    )
    def post(self, request, release_pk: int):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = report_deployment(release=self.release, actor=request.user, **serializer.validated_data)
        return Response(
            DeploymentResultSerializer(
                {"release_id": self.release.pk, "status": self.release.status, "changed": changed}
            ).data
        )


class SmokeRunListCreateView(ReleaseScopedMixin, ApiViewMixin, generics.ListAPIView):
    """The release's smoke runs, newest first; POST starts a run of its enabled checks."""

    serializer_class = SmokeRunSerializer
    write_action = Action.RUN_SMOKE_TESTS

    def get_serializer_class(self):
        return SmokeRunStartSerializer if self.request.method == "POST" else SmokeRunSerializer

    def get_queryset(self):
        runs = SmokeRun.objects.filter(release=self.release).prefetch_related("results")
        return runs.order_by("-created_at", "-pk")

    @extend_schema(request=SmokeRunStartSerializer, responses={201: SmokeRunSerializer})
    def post(self, request, release_pk: int):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = start_smoke_run(
            release=self.release,
            actor=request.user,
            trigger=RunTrigger.API,
            context=serializer.validated_data,
        )
        run = self.get_queryset().get(pk=run.pk)
        return Response(
            SmokeRunSerializer(run).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:smoke_run_detail", args=[self.release.pk, run.pk])},
        )


class SmokeRunDetailView(ReleaseScopedMixin, ApiViewMixin, generics.RetrieveAPIView):
    """One smoke run's state and results; a pipeline polls this until `finished` is true."""

    serializer_class = SmokeRunSerializer

    def get_queryset(self):
        return SmokeRun.objects.filter(release=self.release).prefetch_related("results")
