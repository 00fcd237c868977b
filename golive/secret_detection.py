"""Refuses free text that looks like it holds a password, key or token: the one detector of the product.

GoLive Desk records *where* a credential is kept (a vault path, a password-manager entry), never the
credential itself: a handover list, a risk register or a runbook is read by many people and kept for
years. Every free-text and URL field of the handover, and of risks, defects, runbook steps,
communications and production issues, carries this validator on its model field, so forms and API
serializers alike refuse a pasted secret with an explanation instead of storing it.

What got in before the detector knew its shape is taken out with the redact action (golive.audit).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_ASSIGNMENT = re.compile(
    r"\b(?P<name>password|passwd|passphrase|pwd|secret|client[_-]?secret|token|access[_-]?token"
    r"|auth[_-]?token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)\s*[:=]\s*\S",
    re.IGNORECASE,
)
# user:password@host in any URL or connection string (postgres://, mongodb+srv://, https://, amqp://…).
_URL_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s/:@]+:[^\s/@]+@", re.IGNORECASE)
# "the admin password is Hunter2Payroll", "pwd was 'x'": a value follows, unless an ordinary word does
# ("the password is kept in the vault", "the password is rotated monthly").
_PHRASE = re.compile(
    r"\b(?P<name>password|passwd|passphrase|pwd|passcode|pin code)\s+(?:is|was|will be|reads):?\s+"
    r"(?P<value>\S+)",
    re.IGNORECASE,
)
_ORDINARY_WORD = re.compile(r"[A-Za-z][a-z]*(?:-[a-z]+)*[.,;:!?)]?")
_BEARER = re.compile(r"\bBearer\s+[A-Za-z0-9._~+/\-]{20,}=*")
_PRIVATE_KEY_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_KNOWN_KEY_SHAPES = [
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a payment-provider secret key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}")),
    ("an npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("a PyPI token", re.compile(r"\bpypi-[A-Za-z0-9_\-]{50,}")),
]
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
# A long run mixing upper case, lower case and digits reads like a generated key. Links are left out of
# this check (document ids in links look the same), but a link's `?token=` is still caught above.
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+_\-]{32,}={0,2}")

EXPLANATION = (
    "GoLive Desk never stores passwords, keys or tokens. Record where the credential is kept instead "
    "(for example a vault path such as “kv/portal/production/db”), and remove the secret from this text."
)


def _looks_generated(run: str) -> bool:
    return (
        any(c.isupper() for c in run) and any(c.islower() for c in run) and sum(c.isdigit() for c in run) >= 3
    )


def find_secret(text: str) -> str | None:
    """What in `text` looks like a secret, described in words (never quoting it), or None."""
    if not text:
        return None
    assignment = _ASSIGNMENT.search(text)
    if assignment:
        return f"“{assignment.group('name')}” followed by a value"
    if _URL_CREDENTIALS.search(text):
        return "a user name and password in a URL or connection string"
    for phrase in _PHRASE.finditer(text):
        value = phrase.group("value")
        if value[0] in "'\"“‘`" or not _ORDINARY_WORD.fullmatch(value):
            return f"“{phrase.group('name')} is” followed by a value"
    if _BEARER.search(text):
        return "a bearer token"
    if _PRIVATE_KEY_BLOCK.search(text):
        return "a private key block"
    for description, pattern in _KNOWN_KEY_SHAPES:
        if pattern.search(text):
            return description
    without_links = _URL.sub(" ", text)
    if any(_looks_generated(run) for run in _TOKEN_RUN.findall(without_links)):
        return "a long generated-looking key or token"
    return None


@deconstructible
class RejectSecrets:
    def __call__(self, value) -> None:
        found = find_secret(str(value) if value is not None else "")
        if found:
            raise ValidationError(
                "This looks like it contains a secret (%(found)s). %(explanation)s",
                code="looks_like_secret",
                params={"found": found, "explanation": EXPLANATION},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, RejectSecrets)


reject_secrets = RejectSecrets()
