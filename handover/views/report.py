"""The handover report: one printable page per release, and the list as CSV."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from golive.spreadsheet import SpreadsheetWriter
from handover.selectors import load_overview
from handover.views.common import plan_for_request

CSV_COLUMNS = [
    "Title",
    "Category",
    "Receiving team",
    "Delivering owner",
    "Due date",
    "Needed",
    "Status",
    "Evidence note",
    "Evidence link",
    "Evidence file",
    "Delivered at",
    "Decided by",
    "Decided at",
    "Rejection reason",
    "Waiver reason",
    "Changed after agreement",
]


def report(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk)
    overview = load_overview(plan)
    return render(
        request,
        "handover/report.html",
        {
            "release": release,
            "plan": plan,
            "overview": overview,
            "generated_at": timezone.now(),
            "min_holders": settings.HANDOVER_MIN_VERIFIED_HOLDERS,
        },
    )


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def report_csv(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk)
    overview = load_overview(plan)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"handover-list-{slugify(release.application)}-{slugify(release.version)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SpreadsheetWriter(response)
    writer.writerow(CSV_COLUMNS)
    for item in overview.items:
        row = [
            item.title,
            item.get_category_display(),
            item.receiving_team.name,
            _who(item.delivering_owner),
            item.due_date.isoformat() if item.due_date else "",
            item.get_needed_by_display(),
            item.get_status_display(),
            item.evidence_note,
            item.evidence_link,
            item.evidence_file.name.rsplit("/", 1)[-1] if item.evidence_file else "",
            _when(item.delivered_at),
            _who(item.decided_by),
            _when(item.decided_at),
            item.rejection_reason,
            item.waiver_reason,
            "yes" if item.changed_after_agreement else "",
        ]
        writer.writerow(row)
    return response
