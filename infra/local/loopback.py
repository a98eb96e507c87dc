"""Which Host headers the local servers answer.

They listen on 127.0.0.1 only, but a web page can still reach them by DNS
rebinding (its own name resolving to 127.0.0.1). Such a request carries that
foreign name in Host, so answering only loopback names shuts it out.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return True  # HTTP/1.0 without Host: it cannot come from a browser page
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:
        return False
    return name is not None and (name in LOOPBACK_NAMES or name.endswith(".localhost"))
