"""The ``camnet`` command line: one module per command group, the same functions the app uses.

Only :mod:`camnet.cli.service` (``serve``, ``demo``) builds the web app, and it imports it
inside those commands, so every other command starts without the web stack, OpenCV or the
scheduler.
"""

from camnet.cli import (
    accounts,
    alerts,
    chain,
    coverage,
    database,
    evidence,
    hosts,
    maintenance,
    monitor,
    monitor_status,
    publicstatus,
    registry,
    rollup,
    service,
    zones,
)
from camnet.cli.base import main

__all__ = ["accounts", "alerts", "chain", "coverage", "database", "evidence", "hosts", "main",
           "maintenance", "monitor", "monitor_status", "publicstatus", "registry", "rollup",
           "service", "zones"]
