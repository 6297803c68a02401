"""A secret fetched at run time (the Momento API key): shared by the middleware that fetches it and the store that
uses it, so neither imports the other."""

from __future__ import annotations

from collections.abc import Callable


class Secret:
    """`reveal()` gives the value, `refresh()` fetches it again; printing it never shows it."""

    __slots__ = ("_fetch", "_value", "name")

    def __init__(self, name: str, value: str, fetch: Callable[[], str]) -> None:
        """`fetch` gets the value from its source now, bypassing every cache (it raises KeyUnavailable if it can't)."""
        self.name = name
        self._value = value
        self._fetch = fetch

    def reveal(self) -> str:
        return self._value

    def refresh(self) -> Secret:
        """A new Secret holding the value fetched from the source now (used when the store rejects this one)."""
        return Secret(self.name, self._fetch(), self._fetch)

    def __repr__(self) -> str:
        return f"Secret({self.name!r}, value=***)"

    __str__ = __repr__
