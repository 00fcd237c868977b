"""The readiness profiles of the scale demo's releases, shared by everything that generates their data."""

# How the generated portfolio looks: most releases ready or at risk, a quarter blocked.
READY, AT_RISK, BLOCKED = "ready", "at_risk", "blocked"
PROFILE_WEIGHTS = {READY: 40, AT_RISK: 35, BLOCKED: 25}
