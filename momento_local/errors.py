"""How failures inside the server become gRPC statuses, the way the real service reports them."""

from __future__ import annotations

import grpc

from momento_local.store import (
    CacheAlreadyExistsError,
    CacheNotFoundError,
    InvalidScoreError,
    ItemTooLargeError,
    WrongTypeError,
)


class StatusError(Exception):
    """An error status (with optional trailing metadata) for the current RPC."""

    def __init__(self, code: grpc.StatusCode, details: str, trailers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(details)
        self.code = code
        self.details = details
        self.trailers = trailers


def as_rpc_failure(error: Exception) -> StatusError:
    """The status the real service answers for `error`; anything unexpected is INTERNAL, never a crash."""
    match error:
        case StatusError():
            return error
        case CacheNotFoundError():
            return StatusError(grpc.StatusCode.NOT_FOUND, f"Cache not found: {error}")
        case CacheAlreadyExistsError():
            return StatusError(grpc.StatusCode.ALREADY_EXISTS, f"Cache already exists: {error}")
        case ItemTooLargeError():
            # The SDK reads the `err` trailer to say which limit was hit (LIMIT_EXCEEDED, item size).
            return StatusError(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "Item size limit exceeded for this cache",
                (("err", "item_size_limit_exceeded"),),
            )
        case InvalidScoreError():
            return StatusError(grpc.StatusCode.INVALID_ARGUMENT, "the resulting score would be NaN")
        case WrongTypeError():
            # The SDK's FailedPreconditionException is for a stored item the command cannot work on (its example:
            # Increment on a key that holds no number), the closest documented case to a key of another type.
            return StatusError(grpc.StatusCode.FAILED_PRECONDITION, str(error))
        case _:
            return StatusError(grpc.StatusCode.INTERNAL, f"internal error: {type(error).__name__}")
