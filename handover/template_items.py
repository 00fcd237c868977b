"""The typical handover list a new plan can start from, written from the production handover seed:
a stable system, support documentation, trained production staff, and every system-management function
and logon assigned to production before the project team disbands."""

from dataclasses import dataclass

from handover.choices import ItemCategory, NeededBy, TeamKind


@dataclass(frozen=True)
class TemplateItem:
    title: str
    description: str
    category: str
    needed_by: str
    team_kinds: tuple[str, ...]  # which kind of receiving team it usually goes to, best first


TEMPLATE_ITEMS = [
    TemplateItem(
        "System stable in production",
        "No open critical production issue through the hypercare window; outstanding issues listed with "
        "owners and workarounds.",
        ItemCategory.OTHER,
        NeededBy.HANDOVER,
        (TeamKind.APPLICATIONS, TeamKind.APPLICATION_MAINTENANCE),
    ),
    TemplateItem(
        "Support documentation: operations manual and runbooks",
        "How to start, stop, check and recover the system, written for people who were not on the project.",
        ItemCategory.DOCUMENTATION,
        NeededBy.GO_LIVE,
        (TeamKind.APPLICATIONS, TeamKind.INFRASTRUCTURE),
    ),
    TemplateItem(
        "Why the system is set up as it is",
        "The configuration and customisation decisions and their reasons, so that a later fault "
        "can be understood.",
        ItemCategory.CONFIGURATION,
        NeededBy.HANDOVER,
        (TeamKind.APPLICATION_MAINTENANCE, TeamKind.APPLICATIONS),
    ),
    TemplateItem(
        "Known issues and workarounds",
        "Every issue still open at handover, with its workaround and who owns the fix.",
        ItemCategory.DOCUMENTATION,
        NeededBy.HANDOVER,
        (TeamKind.SERVICE_DESK, TeamKind.APPLICATIONS),
    ),
    TemplateItem(
        "Training of production support staff",
        "Hands-on sessions for the people who will support the system; attendance recorded.",
        ItemCategory.TRAINING,
        NeededBy.GO_LIVE,
        (TeamKind.TRAINING, TeamKind.APPLICATIONS, TeamKind.SERVICE_DESK),
    ),
    TemplateItem(
        "All system-management functions and logons assigned to production",
        "Every administrative account and function moved to a production support team; the credentials' "
        "locations recorded in the access ledger, never the credentials.",
        ItemCategory.ACCESS,
        NeededBy.HANDOVER,
        (TeamKind.SYSTEM_SECURITY, TeamKind.INFRASTRUCTURE, TeamKind.APPLICATIONS),
    ),
    TemplateItem(
        "Security clearance for production support staff",
        "The people who take over hold the clearances the system requires before the project team leaves.",
        ItemCategory.ACCESS,
        NeededBy.GO_LIVE,
        (TeamKind.SYSTEM_SECURITY, TeamKind.INFRASTRUCTURE),
    ),
    TemplateItem(
        "Monitoring and alerting handed to operations",
        "Checks, dashboards and alert routing point to the production support rota.",
        ItemCategory.MONITORING,
        NeededBy.GO_LIVE,
        (TeamKind.INFRASTRUCTURE, TeamKind.APPLICATIONS),
    ),
    TemplateItem(
        "Backup and restore procedure tested",
        "A restore has been rehearsed by the team who will have to do it.",
        ItemCategory.CONFIGURATION,
        NeededBy.HANDOVER,
        (TeamKind.INFRASTRUCTURE,),
    ),
    TemplateItem(
        "Service desk scripts and escalation paths",
        "What the service desk says, logs and escalates for the new system.",
        ItemCategory.SERVICE_DESK,
        NeededBy.GO_LIVE,
        (TeamKind.SERVICE_DESK,),
    ),
    TemplateItem(
        "Supplier contracts, licences and support agreements transferred",
        "Named contacts, renewal dates and support terms handed to contract management.",
        ItemCategory.CONTRACTS,
        NeededBy.HANDOVER,
        (TeamKind.CONTRACT_MANAGEMENT,),
    ),
    TemplateItem(
        "Business process owners confirmed",
        "Each changed business process has an owner in the business who knows the new way of working.",
        ItemCategory.BUSINESS_PROCESS,
        NeededBy.HANDOVER,
        (TeamKind.BUSINESS_PROCESSES,),
    ),
]
