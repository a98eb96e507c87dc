"""Gone: the batch-import rules live in chalicelib/domain/batch/ (one job a module).

Only the two names infra/site_rules.py reads are left here, until it imports them
from chalicelib.domain.batch.limits; then this file goes.
"""

from chalicelib.domain.batch.limits import MAX_FILE_BYTES as MAX_FILE_BYTES
from chalicelib.domain.batch.limits import MAX_ROWS as MAX_ROWS
