"""Routes for coaching sessions: record and change one, the agent's wish and
acknowledgement, an action done, and one session with its effect."""

from __future__ import annotations

import uuid

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.domain.coaching_sessions import Session, present
from chalicelib.services import coaching_sessions
from chalicelib.services.coaching_sessions import SessionStores

blueprint = Blueprint(__name__)


def _stores(call: Call) -> SessionStores:
    context = call.context
    return SessionStores(
        sessions=context.sessions,
        evaluations=context.evaluations,
        forms=context.forms,
        teams=context.settings,
        roster=context.roster(call.principal.tenant),
        cells=context.report_cells(),
    )


def _headers(session: Session) -> dict[str, str]:
    return {
        "ETag": f'"{session.version}"',
        "Location": f"/v1/coaching-sessions/{session.session_id}",
    }


def _reply(session: Session, status: int = 200) -> Reply:
    return Reply(present(session), status, _headers(session))


@blueprint.route("/v1/coaching-sessions", methods=["POST"])
@endpoint(blueprint)
def create_session(call: Call) -> Reply:
    session = coaching_sessions.create(
        _stores(call),
        call.principal,
        call.json_body(),
        session_id=str(uuid.uuid4()),
        now=call.now(),
    )
    return _reply(session, 201)


@blueprint.route("/v1/coaching-sessions", methods=["GET"])
@endpoint(blueprint)
def list_sessions(call: Call) -> Reply:
    found = coaching_sessions.list_sessions(_stores(call), call.principal, call.query(), call.now())
    return Reply({"items": [present(s) for s in found]})


@blueprint.route("/v1/coaching-sessions/{session_id}", methods=["GET"])
@endpoint(blueprint)
def get_session(call: Call, session_id: str) -> Reply:
    shown = coaching_sessions.get(_stores(call), call.principal, session_id, call.now())
    return Reply(shown, headers={"ETag": f'"{shown["version"]}"'})


@blueprint.route("/v1/coaching-sessions/{session_id}", methods=["PUT"])
@endpoint(blueprint)
def update_session(call: Call, session_id: str) -> Reply:
    session = coaching_sessions.update(
        _stores(call),
        call.principal,
        session_id,
        call.json_body(),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return _reply(session)


@blueprint.route("/v1/coaching-sessions/{session_id}/wish", methods=["PUT"])
@endpoint(blueprint)
def put_wish(call: Call, session_id: str) -> Reply:
    session = coaching_sessions.wish(
        _stores(call),
        call.principal,
        session_id,
        call.json_body(),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return _reply(session)


@blueprint.route("/v1/coaching-sessions/{session_id}/acknowledgement", methods=["POST"])
@endpoint(blueprint)
def acknowledge_session(call: Call, session_id: str) -> Reply:
    session = coaching_sessions.acknowledge(
        _stores(call),
        call.principal,
        session_id,
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return _reply(session)


@blueprint.route("/v1/coaching-sessions/{session_id}/actions/{action_id}/done", methods=["POST"])
@endpoint(blueprint)
def complete_action(call: Call, session_id: str, action_id: str) -> Reply:
    session = coaching_sessions.complete_action(
        _stores(call),
        call.principal,
        session_id,
        action_id,
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return _reply(session)
