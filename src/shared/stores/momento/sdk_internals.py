"""The Momento SDK's private internals this service relies on, in one place, for the data-plane calls SDK 1.29 has no
method for (SortedSetLength, SortedSetLengthByScore, UpdateTtl, and SortedSetGetRank without the SDK's wrapping).

A raw call goes out on the client's own channel, with its metadata and deadline, so the key, the endpoint and the
timeouts are the client's. What this reaches into: CacheClient._data_client, its _build_stub() and
_default_deadline_seconds, and momento.internal.synchronous._utilities.make_metadata;
tests/unit/test_momento_sdk_internals.py fails loudly, naming the missing piece, when an SDK upgrade moves any of them.
"""

from __future__ import annotations

from typing import Any

from momento import CacheClient
from momento.errors import convert_error
from momento.internal.services import Service
from momento.internal.synchronous._utilities import make_metadata
from momento.responses.mixins import ErrorResponseMixin


class RawError(ErrorResponseMixin):
    """A failed raw RPC call, shaped like the SDK's error responses."""


def raw_call(client: CacheClient, cache_name: str, rpc: str, request: Any) -> Any:
    """Calls the data-plane RPC `rpc` with `request` (a momento_wire_types message); a failure comes back as the
    SDK shapes its errors (RawError)."""
    data_client = client._data_client
    try:
        return getattr(data_client._build_stub(), rpc)(
            request, metadata=make_metadata(cache_name), timeout=data_client._default_deadline_seconds
        )
    except Exception as error:
        return RawError(convert_error(error, Service.CACHE))
