from django.contrib import admin

from golive.admin import ReadOnlyAdmin
from gonogo.models import Decision, DecisionCondition, GoNoGoMeeting, Participant, Vote


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    can_delete = False
    readonly_fields = ["user", "required", "can_veto"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GoNoGoMeeting)
class GoNoGoMeetingAdmin(ReadOnlyAdmin):
    list_display = ["release", "scheduled_at", "chair", "decision_rule", "hide_votes", "state"]
    list_filter = ["state", "decision_rule"]
    search_fields = ["release__name"]
    inlines = [ParticipantInline]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "participant", "choice", "changed_at"]
    list_filter = ["choice"]
    search_fields = ["meeting__release__name", "participant__user__username"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "outcome", "computed_outcome", "override", "decided_by", "decided_at"]
    list_filter = ["outcome", "override"]
    search_fields = ["meeting__release__name", "rationale"]


@admin.register(DecisionCondition)
class DecisionConditionAdmin(ReadOnlyAdmin):
    list_display = ["text", "decision", "owner", "due_date", "done_at"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["text"]
