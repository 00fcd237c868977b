"""The vendor ledger's pages: the list on a release, add, edit, acknowledge and remove."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from golive.permissions import Action
from golive.views.mixins import ReleaseScopedMixin, add_service_errors
from vendors.forms import AcknowledgementForm, VendorForm
from vendors.models import VendorEngagement
from vendors.selectors import vendors_of
from vendors.services import ledger


def _ledger_url(release) -> str:
    return reverse("vendors:vendor_list", args=[release.pk])


class VendorListView(ReleaseScopedMixin, TemplateView):
    template_name = "vendors/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["engagements"] = vendors_of(self.release)
        return context


class _VendorFormView(ReleaseScopedMixin, FormView):
    required_action = Action.MANAGE_VENDORS
    template_name = "vendors/form.html"

    def get_engagement(self) -> VendorEngagement | None:
        if "pk" not in self.kwargs:
            return None
        if not hasattr(self, "_engagement"):
            self._engagement = get_object_or_404(VendorEngagement, release=self.release, pk=self.kwargs["pk"])
        return self._engagement

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_engagement()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(engagement=self.get_engagement(), heading=self.heading())
        return context

    def form_valid(self, form):
        try:
            engagement = self.save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message(engagement))
        return redirect(_ledger_url(self.release))


class VendorCreateView(_VendorFormView):
    form_class = VendorForm

    def heading(self) -> str:
        return "Record a vendor informed of the release"

    def save(self, values):
        return ledger.record_vendor(release=self.release, actor=self.request.user, **values)

    def done_message(self, engagement) -> str:
        return f"Vendor “{engagement}” recorded."


class VendorUpdateView(_VendorFormView):
    form_class = VendorForm

    def heading(self) -> str:
        return f"Edit vendor “{self.get_engagement()}”"

    def save(self, values):
        return ledger.update_vendor(engagement=self.get_engagement(), actor=self.request.user, **values)

    def done_message(self, engagement) -> str:
        return f"Vendor “{engagement}” saved."


class VendorAcknowledgeView(_VendorFormView):
    form_class = AcknowledgementForm

    def heading(self) -> str:
        return f"Record the acknowledgement of “{self.get_engagement()}”"

    def save(self, values):
        return ledger.acknowledge_vendor(engagement=self.get_engagement(), actor=self.request.user, **values)

    def done_message(self, engagement) -> str:
        return f"Acknowledgement of “{engagement}” recorded."


class VendorRemoveView(ReleaseScopedMixin, View):
    required_action = Action.MANAGE_VENDORS
    http_method_names = ["post"]

    def post(self, request, release_pk, pk):
        engagement = get_object_or_404(VendorEngagement, release=self.release, pk=pk)
        ledger.remove_vendor(engagement=engagement, actor=request.user)
        messages.success(request, f"Vendor “{engagement}” removed from the ledger.")
        return redirect(_ledger_url(self.release))
