"""Fixtures shared by every test folder."""

import pytest

# The shared helpers assert too (assert_error, ...): let pytest explain their failures as it does in tests.
pytest.register_assert_rewrite("tests.support")

pytest_plugins = ["momento_local.pytest_plugin"]
