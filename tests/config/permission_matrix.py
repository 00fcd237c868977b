"""Who gets what from every URL name: the declared permission matrix (README "Who may do what").

A row names the URL (a string a text rewrite can update), fills its parameters from the world
(tests/config/permission_world.py) and says, per method, which audience gets which status. Everyone
outside the row's audiences gets the scope's refusal:

- "release": pages of one release. Anonymous → 302 to the login page; not a member (a stranger, an
  admin-only staff user) → 404; a member without the right → 403.
- "api": the same under /api/v1/, where anonymous is 401.
- "account": pages about the signed-in person (profile, freezes). Anonymous → 302; others as declared.
- "public": no login; every actor gets the same, declared with ALL.

Audiences are declared here, from the product's rules, not read from golive.permissions: a break of a
check in the code shows up as a cell that answers differently from this table.
"""

from dataclasses import dataclass, field

ROLE_HOLDERS = ["manager", "owner", "dev", "stakeholder", "vendor", "support"]
PREDICATE_HOLDERS = [
    "chair",
    "step_owner",
    "condition_owner",
    "review_action_owner",
    "team_lead",
    "team_member",
]
ACTORS = ["anonymous", "stranger", "admin_staff", "everything", *ROLE_HOLDERS, *PREDICATE_HOLDERS]

_PRODUCTION_SUPPORT = {"support", "team_lead", "team_member"}
AUDIENCES: dict[str, set[str]] = {
    "ALL": set(ACTORS),
    "SIGNED_IN": set(ACTORS) - {"anonymous"},
    "MEMBERS": {"everything", *ROLE_HOLDERS, *PREDICATE_HOLDERS},
    "RELEASE_MANAGER": {"manager", "everything"},
    # Risks, defects, smoke checks, the vendor ledger and the handover's project side.
    "PROJECT": {"manager", "owner", "dev", "everything"},
    "ISSUES": {"manager", "owner", "dev", "everything", *_PRODUCTION_SUPPORT},
    # Public updates of production issues (the status page): the release manager and production support.
    "PUBLISHERS": {"manager", "everything", *_PRODUCTION_SUPPORT},
    "SMOKE_RUNNERS": {"manager", "owner", "dev", "everything", *_PRODUCTION_SUPPORT},
    "CHAIR": {"chair", "everything"},
    "CHAIR_OR_RELEASE_MANAGER": {"chair", "manager", "everything"},
    "CONDITION_OWNER_OR_RELEASE_MANAGER": {"condition_owner", "manager", "everything"},
    "STEP_OWNER_OR_RELEASE_MANAGER": {"step_owner", "manager", "everything"},
    # The post-implementation review's team findings and actions.
    "REVIEW_WRITERS": {"manager", "owner", "dev", "everything", *_PRODUCTION_SUPPORT},
    "REVIEW_ACTION_OWNER_OR_WRITERS": {
        "review_action_owner",
        "manager",
        "owner",
        "dev",
        "everything",
        *_PRODUCTION_SUPPORT,
    },
    # The open meeting's participants: voting is personal, even for whoever may do everything.
    "INVITED": {"manager", "owner", "dev", "stakeholder", "chair"},
    "TEAM_LEAD": {"team_lead", "everything"},
    "TEAM": {"team_lead", "team_member", "everything"},
    # Who verified the world's verified access: re-confirming is personal, even for whoever does everything.
    "ACCESS_VERIFIER": {"team_member"},
    "EVERYTHING": {"everything"},
    "TOKEN_OWNER": {"manager"},
    "LINK_HOLDER": {"stakeholder"},
}

REFUSALS = {
    "release": {"anonymous": 302, "stranger": 404, "admin_staff": 404, "member": 403},
    "api": {"anonymous": 401, "stranger": 404, "admin_staff": 404, "member": 403},
    "account": {"anonymous": 302},
    "public": {},
}


@dataclass(frozen=True)
class Row:
    params: dict[str, str] = field(default_factory=dict)  # URL parameter → world object key
    scope: str = "release"
    # method → [(audience, status), ...]: the first audience holding the actor gives the status.
    expect: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def page(params=None, *, get=None, post=None, put=None, patch=None, delete=None, scope="release") -> Row:
    methods = {"GET": get, "POST": post, "PUT": put, "PATCH": patch, "DELETE": delete}
    return Row(
        params=dict(params or {}),
        scope=scope,
        expect={method: list(rules) for method, rules in methods.items() if rules is not None},
    )


R = {"release_pk": "release"}


def on(**params) -> dict[str, str]:
    return {**R, **params}


VIEW = [("MEMBERS", 200)]

# URL names outside the matrix, with the reason.
NOT_IN_MATRIX = {
    "admin": "Django's admin site: is_staff plus model permissions, checked by Django itself",
}

MATRIX: dict[str, Row] = {
    # Accounts and the portfolio.
    "login": page(get=[("ALL", 200)], post=[("ALL", 200)], scope="public"),
    "logout": page(get=[("SIGNED_IN", 405)], post=[("ALL", 302)], scope="account"),
    # Single sign-on is not configured in the tests: its pages do not exist for anyone.
    "oidc_authentication_init": page(get=[("ALL", 404)], scope="public"),
    "oidc_authentication_callback": page(get=[("ALL", 404)], scope="public"),
    "dashboards:healthz": page(get=[("ALL", 200)], scope="public"),
    "dashboards:portfolio": page(get=[("SIGNED_IN", 200)], scope="account"),
    "golive:release_create": page(
        get=[("RELEASE_MANAGER", 200), ("SIGNED_IN", 403)],
        post=[("RELEASE_MANAGER", 200), ("SIGNED_IN", 403)],
        scope="account",
    ),
    # One release.
    "golive:release_detail": page(R, get=VIEW),
    "golive:release_edit": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "dashboards:release_dashboard": page(R, get=VIEW),
    "dashboards:heat_map_cell": page(R, get=[("MEMBERS", 400)]),
    "dashboards:audit_pack": page(R, get=VIEW),
    "dashboards:release_history": page(R, get=VIEW),
    "golive:release_move": page(R, post=[("RELEASE_MANAGER", 302)]),
    "golive:redact": page(
        on(content_type_id="risk_type", object_pk="risk"),
        get=[("RELEASE_MANAGER", 200)],
        post=[("RELEASE_MANAGER", 200)],
    ),
    "golive:release_members": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "golive:release_member_remove": page(on(pk="membership"), post=[("RELEASE_MANAGER", 302)]),
    "registers:risk_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "registers:risk_edit": page(on(pk="risk"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "registers:risk_close": page(on(pk="risk"), post=[("PROJECT", 302)]),
    "registers:defect_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "registers:defect_edit": page(on(pk="defect"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "registers:defect_resolve": page(on(pk="defect"), post=[("PROJECT", 302)]),
    # Go/no-go.
    "gonogo:meeting_schedule": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "gonogo:meeting_detail": page(on(pk="meeting"), get=VIEW),
    "gonogo:meeting_open": page(on(pk="meeting"), post=[("CHAIR_OR_RELEASE_MANAGER", 302)]),
    "gonogo:meeting_edit": page(
        on(pk="meeting"), get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]
    ),
    "gonogo:meeting_cancel": page(
        on(pk="meeting"), get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]
    ),
    "gonogo:meeting_vote": page(on(pk="meeting"), post=[("INVITED", 200), ("EVERYTHING", 403)]),
    # A voting link opens only for the participant it was sent to (stakeholder); anyone else: not found.
    "gonogo:vote_link": page(
        {"token": "vote_token"}, get=[("LINK_HOLDER", 200), ("SIGNED_IN", 404)], scope="account"
    ),
    "gonogo:meeting_close": page(on(pk="meeting"), get=[("CHAIR", 200)], post=[("CHAIR", 200)]),
    "gonogo:decision_detail": page(on(pk="decided_meeting"), get=VIEW),
    "gonogo:participant_flags": page(
        on(pk="meeting", participant_pk="participant"), post=[("RELEASE_MANAGER", 302)]
    ),
    "gonogo:condition_done": page(on(pk="condition"), post=[("CONDITION_OWNER_OR_RELEASE_MANAGER", 302)]),
    # Runbook.
    "runbook:runbook_plan": page(R, get=VIEW),
    "runbook:runbook_live": page(R, get=VIEW),
    "runbook:my_steps": page(R, get=VIEW),
    "runbook:step_create": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "runbook:step_edit": page(on(pk="step"), get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "runbook:step_delete": page(on(pk="step"), post=[("RELEASE_MANAGER", 302)]),
    "runbook:step_reorder": page(on(pk="step"), post=[("RELEASE_MANAGER", 302)]),
    "runbook:step_co_performed": page(on(pk="step"), post=[("STEP_OWNER_OR_RELEASE_MANAGER", 302)]),
    "runbook:step_action": page(on(pk="step", action="start"), post=[("STEP_OWNER_OR_RELEASE_MANAGER", 302)]),
    "runbook:runbook_abort": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "runbook:rollback_notes": page(R, get=VIEW),
    "runbook:declare_live": page(R, post=[("RELEASE_MANAGER", 302)]),
    "runbook:runbook_export": page(R, get=VIEW),
    "runbook:runbook_import": page(R, post=[("RELEASE_MANAGER", 302)]),
    "runbook:rehearsal_start": page(R, post=[("RELEASE_MANAGER", 302)]),
    "runbook:rehearsal_detail": page(on(pk="rehearsal"), get=VIEW),
    "runbook:rehearsal_action": page(on(pk="rehearsal", action="finish"), post=[("RELEASE_MANAGER", 302)]),
    # Communications and production issues.
    "communications:outbox": page(R, get=VIEW),
    "communications:communication_new": page(
        R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 400)]
    ),
    "communications:communication_resend": page(on(pk="communication"), post=[("RELEASE_MANAGER", 302)]),
    # A reader's POST saves nothing and shows the page again, without the form.
    "communications:communication_detail": page(on(pk="communication"), get=VIEW, post=VIEW),
    "communications:audience_addresses": page(
        R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]
    ),
    "communications:issue_list": page(R, get=VIEW),
    "communications:issue_create": page(R, get=[("ISSUES", 200)], post=[("ISSUES", 200)]),
    "communications:issue_edit": page(on(pk="issue"), get=[("ISSUES", 200)], post=[("ISSUES", 200)]),
    "communications:issue_notify": page(on(pk="issue"), post=[("RELEASE_MANAGER", 302)]),
    "communications:issue_publish": page(
        on(pk="issue"), get=[("PUBLISHERS", 200)], post=[("PUBLISHERS", 200)]
    ),
    # The status page of the release's application: readable by anyone when public (the world's page is),
    # its settings the release manager's. A bad or empty submission is a 400 page, never a 500.
    "statuspage:page": page({"slug": "status_slug"}, get=[("ALL", 200)], scope="public"),
    "statuspage:subscribe": page(
        {"slug": "status_slug"}, get=[("ALL", 200)], post=[("ALL", 400)], scope="public"
    ),
    "statuspage:confirm": page(
        {"slug": "status_slug", "token": "status_token"}, get=[("ALL", 400)], scope="public"
    ),
    "statuspage:unsubscribe": page(
        {"slug": "status_slug", "token": "status_token"},
        get=[("ALL", 400)],
        post=[("ALL", 400)],
        scope="public",
    ),
    "statuspage:settings": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    # Freeze windows bind every release: everyone signed in reads them, only "everything" manages them.
    "freezes:freeze_list": page(get=[("SIGNED_IN", 200)], scope="account"),
    "freezes:freeze_create": page(
        get=[("EVERYTHING", 200), ("SIGNED_IN", 403)],
        post=[("EVERYTHING", 200), ("SIGNED_IN", 403)],
        scope="account",
    ),  # fmt: skip
    "freezes:freeze_edit": page(
        {"pk": "freeze"},
        get=[("EVERYTHING", 200), ("SIGNED_IN", 403)],
        post=[("EVERYTHING", 200), ("SIGNED_IN", 403)],
        scope="account",
    ),
    "freezes:freeze_delete": page(
        {"pk": "freeze"}, post=[("EVERYTHING", 302), ("SIGNED_IN", 403)], scope="account"
    ),
    "freezes:freeze_override": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    # The person's own profile, tokens and calendar feed; the release's webhooks.
    "integrations:profile": page(get=[("SIGNED_IN", 200)], post=[("SIGNED_IN", 200)], scope="account"),
    "integrations:token_revoke": page(
        {"pk": "api_token"}, post=[("TOKEN_OWNER", 302), ("SIGNED_IN", 404)], scope="account"
    ),
    "integrations:calendar_feed_create": page(post=[("SIGNED_IN", 302)], scope="account"),
    "integrations:calendar_feed_replace": page(post=[("SIGNED_IN", 302)], scope="account"),
    "integrations:calendar_feed": page({"token": "calendar_token"}, get=[("ALL", 200)], scope="public"),
    "integrations:webhooks": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "integrations:webhook_toggle": page(on(pk="webhook"), post=[("RELEASE_MANAGER", 302)]),
    "integrations:webhook_remove": page(on(pk="webhook"), post=[("RELEASE_MANAGER", 302)]),
    "integrations:webhook_ping": page(on(pk="webhook"), post=[("RELEASE_MANAGER", 302)]),
    "integrations:delivery_redeliver": page(on(pk="delivery"), post=[("RELEASE_MANAGER", 302)]),
    # The pipeline API (session-authenticated here; tokens are tests/integrations/api/test_auth.py's subject).
    "api:schema": page(get=[("ALL", 200)], scope="public"),
    "api:docs": page(get=[("ALL", 200)], scope="public"),
    "api:release_list": page(get=[("SIGNED_IN", 200)], scope="api"),
    "api:release_detail": page(R, get=VIEW, scope="api"),
    "api:gate": page(R, get=VIEW, scope="api"),
    "api:deployment_report": page(R, post=[("RELEASE_MANAGER", 400)], scope="api"),
    "api:risk_list": page(R, get=VIEW, post=[("PROJECT", 400)], scope="api"),
    "api:risk_detail": page(
        on(pk="risk"), get=VIEW, put=[("PROJECT", 400)], patch=[("PROJECT", 200)], scope="api"
    ),
    "api:defect_list": page(R, get=VIEW, post=[("PROJECT", 400)], scope="api"),
    "api:defect_upsert": page(R, put=[("PROJECT", 400)], scope="api"),
    "api:risk_upsert": page(R, put=[("PROJECT", 400)], scope="api"),
    "api:defect_detail": page(
        on(pk="defect"), get=VIEW, put=[("PROJECT", 400)], patch=[("PROJECT", 200)], scope="api"
    ),
    "api:smoke_run_list": page(R, get=VIEW, post=[("SMOKE_RUNNERS", 201)], scope="api"),
    "api:smoke_run_detail": page(on(pk="run"), get=VIEW, scope="api"),
    # Smoke tests and monitors.
    "smoketests:check_list": page(R, get=VIEW),
    "smoketests:check_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "smoketests:check_edit": page(on(pk="check"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "smoketests:check_delete": page(on(pk="check"), post=[("PROJECT", 302)]),
    "smoketests:run_start": page(R, post=[("SMOKE_RUNNERS", 302)]),
    "smoketests:run_detail": page(on(pk="run"), get=VIEW),
    "smoketests:monitor_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "smoketests:monitor_detail": page(on(pk="monitor"), get=VIEW),
    "smoketests:monitor_edit": page(on(pk="monitor"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    # Handover.
    # The post-implementation review and the application's track record.
    "reviews:review": page(R, get=VIEW),
    "reviews:review_draft": page(R, post=[("RELEASE_MANAGER", 302)]),
    "reviews:review_redraft": page(R, post=[("RELEASE_MANAGER", 302)]),
    "reviews:review_publish": page(R, post=[("RELEASE_MANAGER", 302)]),
    "reviews:finding_create": page(R, get=[("REVIEW_WRITERS", 200)], post=[("REVIEW_WRITERS", 200)]),
    "reviews:finding_edit": page(
        on(pk="team_finding"), get=[("REVIEW_WRITERS", 200)], post=[("REVIEW_WRITERS", 200)]
    ),
    "reviews:finding_remove": page(on(pk="team_finding"), post=[("REVIEW_WRITERS", 302)]),
    "reviews:action_create": page(R, get=[("REVIEW_WRITERS", 200)], post=[("REVIEW_WRITERS", 200)]),
    "reviews:action_edit": page(
        on(pk="review_action"), get=[("REVIEW_WRITERS", 200)], post=[("REVIEW_WRITERS", 200)]
    ),
    "reviews:action_done": page(on(pk="review_action"), post=[("REVIEW_ACTION_OWNER_OR_WRITERS", 302)]),
    "reviews:track_record": page(R, get=VIEW),
    "handover:plan": page(R, get=VIEW),
    "handover:plan_create": page(R, get=[("PROJECT", 302)], post=[("PROJECT", 302)]),
    "handover:plan_settings": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:plan_seed_template": page(R, post=[("PROJECT", 302)]),
    "handover:runbook_copy": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "handover:plan_reopen": page(R, get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]),
    "handover:team_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:team_signoff": page(on(team_pk="team"), get=VIEW, post=[("TEAM", 200)]),
    "handover:team_agree": page(on(team_pk="team"), post=[("TEAM_LEAD", 302)]),
    "handover:team_members": page(on(team_pk="team"), get=[("TEAM_LEAD", 200)], post=[("TEAM_LEAD", 200)]),
    "handover:item_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:item_edit": page(on(pk="item"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:item_deliver": page(on(pk="item"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:item_accept": page(on(pk="item"), post=[("TEAM", 302)]),
    "handover:item_reject": page(on(pk="item"), get=[("TEAM", 200)], post=[("TEAM", 200)]),
    # A waiver needs both sides: the project team and the receiving team.
    "handover:item_waive": page(
        on(pk="item"), get=[("PROJECT", 200), ("TEAM", 200)], post=[("PROJECT", 200), ("TEAM", 200)]
    ),
    "handover:item_evidence_file": page(on(pk="item"), get=[("MEMBERS", 404)]),
    "handover:document_edit": page(on(pk="document"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:document_file": page(on(pk="document"), get=[("MEMBERS", 404)]),
    "handover:access_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:access_edit": page(on(pk="access"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:access_grant": page(on(pk="access"), post=[("PROJECT", 302)]),
    "handover:access_verify": page(on(pk="access"), post=[("TEAM", 302)]),
    "handover:access_revoke": page(on(pk="access"), post=[("PROJECT", 200)]),
    "handover:access_keep": page(
        on(pk="access"), get=[("RELEASE_MANAGER", 200)], post=[("RELEASE_MANAGER", 200)]
    ),
    "handover:access_reconfirm": page(
        on(pk="verified_access"), post=[("ACCESS_VERIFIER", 302), ("EVERYTHING", 403)]
    ),
    "handover:training_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:training_edit": page(on(pk="training"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:training_held": page(on(pk="training"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "handover:withdraw": page(on(kind="items", pk="item"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    # The vendor support ledger: every member reads it, the project side keeps it.
    "vendors:vendor_list": page(R, get=VIEW),
    "vendors:vendor_create": page(R, get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "vendors:vendor_edit": page(on(pk="vendor"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "vendors:vendor_acknowledge": page(on(pk="vendor"), get=[("PROJECT", 200)], post=[("PROJECT", 200)]),
    "vendors:vendor_remove": page(on(pk="vendor"), post=[("PROJECT", 302)]),
    "handover:report": page(R, get=VIEW),
    "handover:report_csv": page(R, get=VIEW),
    # Forge: the hooks answer the forge (a signature, not a login); deployment targets are the RM's.
    "forge:github_webhook": page(get=[("ALL", 401)], post=[("ALL", 401)], scope="public"),
    "forge:gitlab_webhook": page(get=[("ALL", 401)], post=[("ALL", 401)], scope="public"),
    "forge:deployment_targets": page(R, get=VIEW, post=[("RELEASE_MANAGER", 200)]),
    "forge:deployment_target_remove": page(on(pk="deploy_target"), post=[("RELEASE_MANAGER", 302)]),
}
