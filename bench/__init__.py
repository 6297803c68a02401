"""`make bench`: one module per measured feature, run in order by bench/run.py (see its docstring).

This process is an execution environment of the functions: their code (src/) importable as in Lambda, and the
settings their modules read when imported (Powertools' service, namespace, log level, tracing) set before any of
them is. The rest of their environment (the local servers' addresses) follows once the servers run (harness.py).
"""

import os
import sys
from pathlib import Path

INIT_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "leaderboard-api",
    "POWERTOOLS_METRICS_NAMESPACE": "leaderboard-api",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_TRACE_DISABLED": "true",
}

_SRC = str(Path(__file__).resolve().parents[1] / "src")
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)
os.environ.update(INIT_ENVIRONMENT)
