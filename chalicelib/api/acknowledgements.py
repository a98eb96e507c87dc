"""(being written)"""

from __future__ import annotations

from chalice.app import Blueprint

blueprint = Blueprint(__name__)
