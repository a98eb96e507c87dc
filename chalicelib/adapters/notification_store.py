"""(being written: see the module's owner)"""

from __future__ import annotations


class NotificationStore:
    pass
