"""Readiness: one table of rules saying whether a release is blocked, at risk or ready."""
