"""Lambda SnapStart's runtime hooks. Lambda's Python runtime provides `snapshot_restore_py` (there is no package to
install); anywhere else (local runs, tests, sam local) no function is restored from a snapshot, so there is nothing
to register."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def after_restore(hook: Callable[[], object]) -> bool:
    """Runs `hook` each time an execution environment is restored from a snapshot; False where none ever is."""
    try:
        runtime_hooks = importlib.import_module("snapshot_restore_py")
    except ImportError:
        return False
    runtime_hooks.register_after_restore(hook)
    return True
