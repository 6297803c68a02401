"""Fixtures shared by every test folder."""

pytest_plugins = ["momento_local.pytest_plugin"]
