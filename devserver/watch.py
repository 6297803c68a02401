"""Reload on change: new code restarts the functions' environments; a new template or env-vars reloads routes."""

from __future__ import annotations

import threading
from pathlib import Path

from watchfiles import watch

from devserver.server import Gateway, log_line
from devserver.template import load_application


def watch_for_changes(
    gateway: Gateway,
    *,
    code_dirs: set[Path],
    template: Path,
    env_vars: Path,
    overrides: dict[str, str],
    stop: threading.Event,
) -> threading.Thread:
    config_files = {template.resolve(), env_vars.resolve()}
    paths = [*sorted(code_dirs), *(f for f in config_files if f.exists())]

    def run() -> None:
        for changes in watch(*paths, stop_event=stop, debounce=300):
            changed = {Path(path).resolve() for _, path in changes}
            if changed & config_files:
                try:
                    gateway.replace_application(load_application(template, env_vars, overrides))
                    log_line("template changed: routes and functions reloaded")
                except Exception as error:  # keep serving the last good template
                    log_line(f"template reload failed, keeping the previous one: {error}")
            else:
                gateway.reload_code()
                log_line(f"code changed ({len(changed)} file(s)): functions restart on their next request")

    thread = threading.Thread(target=run, name="reload", daemon=True)
    thread.start()
    return thread
