"""What the tests, the key-leak probe and the bench share; no test module imports another test module."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
