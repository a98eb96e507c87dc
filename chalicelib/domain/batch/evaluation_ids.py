"""The one evaluation id an auditor's external_id can ever have in a tenant, so an
import run twice, or resumed, meets its own earlier writes instead of doubling them."""

from __future__ import annotations

import json
import uuid

# Fixed forever: the ids of imported evaluations are derived from it.
EVALUATION_NAMESPACE = uuid.UUID("0f6f3f1e-7a52-4d0c-9d0e-6b1f0a3c9b21")


def evaluation_id_for(tenant: str, auditor: str, external_id: str) -> str:
    return str(uuid.uuid5(EVALUATION_NAMESPACE, json.dumps([tenant, auditor, external_id])))
