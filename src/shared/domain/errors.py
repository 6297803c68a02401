"""What can go wrong, named in the service's own terms: the rules, the store and the key raise these.

No HTTP here: the error handler's one table (http/middlewares/http_error_handler.py) decides what a client sees for
each. An error's message is shown to clients only where the table says so (it names a rule, a board or a player);
anything not defined here is an unexpected failure, answered as a bare 500.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An outcome the API answers on purpose; the message is safe to show unless the error table replaces it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- The request --------------------------------------------------------------------------------------------------


class InvalidInput(ServiceError):
    """Input that breaks a rule; the message names the rule."""


# --- The leaderboard ----------------------------------------------------------------------------------------------


class PlayerNotFound(ServiceError):
    def __init__(self, board: str, player: str) -> None:
        super().__init__(f"Player '{player}' is not on leaderboard '{board}'.")


class BoardFull(ServiceError):
    """The board reached the store's size limit for one board: new players cannot join, the rest still works."""

    def __init__(self, board: str) -> None:
        super().__init__(
            f"Leaderboard '{board}' is full: it has reached the store's size limit for one board, so new players "
            "cannot be added. Existing players can still be updated and the board can still be read."
        )


# --- The store and the key: transient, a retry may succeed --------------------------------------------------------


class StoreThrottled(ServiceError):
    """The store's rate limit."""


class StoreUnavailable(ServiceError):
    """The store could not be reached or failed, after the SDK's own retries."""


class StoreTimeout(ServiceError):
    """The store did not answer within its deadline."""


class BoardRebuilding(ServiceError):
    """The board's index is being rebuilt from the record, and the read falls past the part restored so far: a
    retry will see more of it. `restored`, `total` and `eta_s` say how far the restore got (None: not known)."""

    def __init__(
        self, board: str, restored: int | None = None, total: int | None = None, eta_s: float | None = None
    ) -> None:
        if restored is None or total is None:
            super().__init__(f"Leaderboard '{board}' is being restored; retry shortly.")
        else:
            left = f", about {max(1, round(eta_s))} s to go" if eta_s is not None else ""
            super().__init__(
                f"Leaderboard '{board}' is being restored: {restored} of {total} players so far{left}; the top of "
                "the board answers first. Retry shortly."
            )
        self.restored, self.total, self.eta_s = restored, total, eta_s

    @property
    def details(self) -> dict[str, object]:
        """What the answer's body says of the restore, beside the message."""
        if self.restored is None or self.total is None:
            return {}
        eta = None if self.eta_s is None else round(self.eta_s, 1)
        return {"restore": {"restored": self.restored, "total": self.total, "etaSeconds": eta}}


class PastRebuildsLimited(ServiceError):
    """The board restored as many past periods from the record this minute as it may: reads of past periods whose
    sets are gone cannot spend the Momento operations that writes need. `retry_after_s`: until the next minute."""

    def __init__(self, board: str, limit: int, retry_after_s: int) -> None:
        super().__init__(
            f"Leaderboard '{board}' has restored {limit} past periods this minute, the most it may; "
            f"retry in {retry_after_s} s."
        )
        self.retry_after_s = retry_after_s


class KeyUnavailable(ServiceError):
    """The store's API key could not be fetched, is malformed, or is still rejected after a fresh fetch."""


# --- Signals the domain handles itself (never answered) -----------------------------------------------------------


class SettingsMoved(Exception):
    """A write was made with settings older than those the score's item was last written with: the board's settings
    changed since the writer read them. Nothing changed; the writer reads them again and writes again."""

    def __init__(self, board: str) -> None:
        super().__init__(f"the settings of '{board}' changed since this write read them")
