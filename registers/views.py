"""Create, edit and close a release's risks and defects: the same shape for both, configured below."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView

from golive.permissions import Action
from golive.views.mixins import ReleaseScopedMixin, add_service_errors
from registers.forms import DefectForm, RiskForm
from registers.models import Defect, Risk
from registers.services import defects as defect_services
from registers.services import risks as risk_services


class RecordFormView(ReleaseScopedMixin, FormView):
    template_name = "registers/record_form.html"
    model = None
    record_name = ""

    def get_object(self):
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(release=self.release, instance=self.get_object())
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(record_name=self.record_name, record=self.get_object())
        return context

    def form_valid(self, form):
        try:
            record = self.save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.record_name.capitalize()} “{record}” saved.")
        return redirect(self.release.get_absolute_url() + f"#{self.record_name}s")


class RiskCreateView(RecordFormView):
    required_action = Action.EDIT_RISKS
    form_class = RiskForm
    record_name = "risk"

    def save(self, values):
        return risk_services.create_risk(release=self.release, actor=self.request.user, **values)


class RiskUpdateView(RiskCreateView):
    def get_object(self):
        if not hasattr(self, "_risk"):
            self._risk = get_object_or_404(Risk, release=self.release, pk=self.kwargs["pk"])
        return self._risk

    def save(self, values):
        return risk_services.update_risk(risk=self.get_object(), actor=self.request.user, **values)


class DefectCreateView(RecordFormView):
    required_action = Action.EDIT_DEFECTS
    form_class = DefectForm
    record_name = "defect"

    def save(self, values):
        return defect_services.create_defect(release=self.release, actor=self.request.user, **values)


class DefectUpdateView(DefectCreateView):
    def get_object(self):
        if not hasattr(self, "_defect"):
            self._defect = get_object_or_404(Defect, release=self.release, pk=self.kwargs["pk"])
        return self._defect

    def save(self, values):
        return defect_services.update_defect(defect=self.get_object(), actor=self.request.user, **values)


class RiskCloseView(ReleaseScopedMixin, View):
    # Members reach the risk; close_risk decides who may close it.
    http_method_names = ["post"]

    def post(self, request, release_pk, pk):
        risk = get_object_or_404(Risk, release=self.release, pk=pk)
        risk_services.close_risk(risk=risk, actor=request.user)
        messages.success(request, f"Risk “{risk}” closed.")
        return redirect(self.release.get_absolute_url() + "#risks")


class DefectResolveView(ReleaseScopedMixin, View):
    required_action = Action.EDIT_DEFECTS
    http_method_names = ["post"]

    def post(self, request, release_pk, pk):
        defect = get_object_or_404(Defect, release=self.release, pk=pk)
        defect_services.resolve_defect(defect=defect, actor=request.user)
        messages.success(request, f"Defect “{defect}” resolved.")
        return redirect(self.release.get_absolute_url() + "#defects")
