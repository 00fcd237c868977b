"""Hooks the apps above communications connect to; communications never imports them.

`public_update_published` (sender=PublicIssueUpdate, update=…): sent once per published update, inside the
transaction that stores it. The status page connects here to queue the update's e-mails to its
subscribers and to drop its cached page.
"""

from django.dispatch import Signal

public_update_published = Signal()
