"""The coaching loop's items in the main table: one shape for every record and index.

Every coaching record (a review, a session, a dispute, a notification preference,
an inbox entry, an outbox message) and every pointer to one is a `CoachingItemModel`:
its keys, the record as JSON in `doc`, and a `version` that each change bumps, so
a write can be made on the condition that nobody changed the record since it was
read. The stores own the key shapes:

- `{t}#REVIEW#{id}` / `REVIEW`: a coaching review; `{t}#REVIEWS#{agent}` /
  `{created}#{id}`: the agent's reviews; `{t}#REVIEWS#SEALED` / `{self due}#{id}`: a
  review whose team leader's side waits for the self-evaluation or its deadline.
- `{t}#SESSION#{id}` / `SESSION`: a coaching session; `{t}#SESSIONS#{agent}` /
  `{held on}#{id}`: the agent's sessions.
- `{t}#DISPUTE#{id}` / `DISPUTE`: a dispute with its history;
  `{t}#DISPUTES#{evaluation}` / `{opened}#{id}`: an evaluation's disputes;
  `{t}#DISPUTES#OPEN` / `{evaluation}`: the one undecided dispute of an evaluation.
- `{t}#TODO#{owner}` / `{kind}#{ref}`: what needs a person's action (the inbox);
  `{t}#OUTBOX` / `{created}#{owner}#{kind}#{ref}`: a notification not yet sent;
  `{t}#NOTIFY` / `{owner}`: where and in which language a person is notified.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.adapters.models import _MainTable


class CoachingItemModel(_MainTable):
    doc = UnicodeAttribute()  # the record as JSON (jsoncodec)
    version = NumberAttribute(default=1)
