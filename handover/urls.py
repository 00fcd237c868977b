from django.urls import path

from handover.views import (
    access,
    documents,
    files,
    items,
    knowledge_transfer,
    plans,
    report,
    signoffs,
    training,
    withdrawal,
)

app_name = "handover"

_PREFIX = "releases/<int:release_pk>/handover/"

urlpatterns = [
    path(_PREFIX, plans.plan_detail, name="plan"),
    path(_PREFIX + "new/", plans.plan_create, name="plan_create"),
    path(_PREFIX + "settings/", plans.plan_settings, name="plan_settings"),
    path(_PREFIX + "template/", plans.plan_seed_template, name="plan_seed_template"),
    path(_PREFIX + "reopen/", plans.plan_reopen, name="plan_reopen"),
    path(_PREFIX + "teams/new/", plans.team_create, name="team_create"),
    path(_PREFIX + "teams/<int:team_pk>/", signoffs.team_signoff, name="team_signoff"),
    path(_PREFIX + "teams/<int:team_pk>/agree/", plans.team_agree, name="team_agree"),
    path(_PREFIX + "teams/<int:team_pk>/members/", plans.team_members, name="team_members"),
    path(_PREFIX + "items/new/", items.item_create, name="item_create"),
    path(_PREFIX + "items/<int:pk>/edit/", items.item_edit, name="item_edit"),
    path(_PREFIX + "items/<int:pk>/deliver/", items.item_deliver, name="item_deliver"),
    path(_PREFIX + "items/<int:pk>/accept/", items.item_accept, name="item_accept"),
    path(_PREFIX + "items/<int:pk>/reject/", items.item_reject, name="item_reject"),
    path(_PREFIX + "items/<int:pk>/waive/", items.item_waive, name="item_waive"),
    path(_PREFIX + "items/<int:pk>/evidence/", files.item_evidence_file, name="item_evidence_file"),
    path(_PREFIX + "documents/<int:pk>/edit/", documents.document_edit, name="document_edit"),
    path(_PREFIX + "documents/<int:pk>/file/", files.document_file, name="document_file"),
    path(_PREFIX + "access/new/", access.access_create, name="access_create"),
    path(_PREFIX + "access/<int:pk>/edit/", access.access_edit, name="access_edit"),
    path(_PREFIX + "access/<int:pk>/grant/", access.access_grant, name="access_grant"),
    path(_PREFIX + "access/<int:pk>/verify/", access.access_verify, name="access_verify"),
    path(_PREFIX + "access/<int:pk>/revoke/", access.access_revoke, name="access_revoke"),
    path(_PREFIX + "access/<int:pk>/keep/", access.access_keep, name="access_keep"),
    path(_PREFIX + "access/<int:pk>/reconfirm/", access.access_reconfirm, name="access_reconfirm"),
    path(_PREFIX + "training/new/", training.training_create, name="training_create"),
    path(_PREFIX + "training/<int:pk>/edit/", training.training_edit, name="training_edit"),
    path(_PREFIX + "training/<int:pk>/held/", training.training_held, name="training_held"),
    path(_PREFIX + "<slug:kind>/<int:pk>/withdraw/", withdrawal.withdraw_entry, name="withdraw"),
    path(_PREFIX + "copy-runbook/", knowledge_transfer.runbook_copy, name="runbook_copy"),
    path(_PREFIX + "report/", report.report, name="report"),
    path(_PREFIX + "report.csv", report.report_csv, name="report_csv"),
]
