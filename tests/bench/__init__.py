"""`make bench`: DynamoDB requests and capacity of the core flow, and scoring throughput.

Importing the package sets up the same clean, offline AWS environment that
tests/conftest.py gives pytest, before anything imports boto3 or reads the
table names from the environment.
"""

from __future__ import annotations

import tests.conftest  # noqa: F401  (environment first: it has import-time effects)
