"""The one If-Match rule, for every resource a client changes in place.

Form drafts and evaluations are both changed by PUT over a version the client
read, and both follow this rule (RFC 9110 section 13.1.1, RFC 6585 section 3):

- The resource is looked up first: one that is not there is 404, whatever
  If-Match says (a precondition is about an existing resource).
- No If-Match: 428. A write must name the version it changes, or two editors
  overwrite each other without either seeing it (the lost update).
- One ETag, `"3"`, names version 3. A weak `W/"3"` is read the same: a proxy
  may weaken an ETag on the way, and the versions are plain numbers either way.
- `*` is refused (400). By RFC 9110 it matches whatever version is current,
  and every resource here exists before it can be PUT, so `*` would be an
  unconditional overwrite: the lost update the 428 is there to prevent.
- Anything else (a list, an unquoted number, more than 18 digits): 400.
- An ETag that is not the current version: 412, decided against storage by the
  service, which alone knows the current version.
"""

from __future__ import annotations

import re

from chalicelib.domain.errors import InvalidInput, PreconditionRequired

HEADER = "If-Match"
_ONE_ETAG = re.compile(r'(?:W/)?"([0-9]{1,18})"')


def optional_version(if_match: str | None, changing: str) -> int | None:
    """For the coaching records, whose writes are guarded by their state: without
    If-Match a write applies to the current version; with it, the same rule."""
    return None if if_match is None else required_version(if_match, changing)


def required_version(if_match: str | None, changing: str) -> int:
    """The version `if_match` names; `changing` says what the client changes, for
    the message (e.g. "the revision you are amending")."""
    if if_match is None:
        raise PreconditionRequired(f"send If-Match with the ETag of {changing}", field=HEADER)
    match = _ONE_ETAG.fullmatch(if_match.strip())
    if match is None:
        raise InvalidInput('If-Match must be one ETag like "3"', field=HEADER)
    return int(match.group(1))
