"""Real `momento` SDK clients (sync and async) pointed at the in-process momento-local server, and the SDK's own
generated stub on a plain channel for the RPCs SDK 1.29 has no method for."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta

import grpc
import pytest
from momento import CacheClient, CacheClientAsync, Configurations, CredentialProvider
from momento.config import Configuration
from momento_wire_types import cacheclient_pb2_grpc as pb_grpc

from momento_local import MomentoLocalServer

DEFAULT_TTL = timedelta(minutes=10)


def credentials(server: MomentoLocalServer, token: str | None = None) -> CredentialProvider:
    """for_momento_local, or the same endpoint carrying `token` (how tests exercise auth)."""
    local = CredentialProvider.for_momento_local(server.host, server.port)
    if token is None:
        return local
    return CredentialProvider(token, server.host, server.host, server.host, server.port)


def make_client(
    server: MomentoLocalServer,
    token: str | None = None,
    configuration: Configuration | None = None,
    ttl: timedelta = DEFAULT_TTL,
) -> CacheClient:
    config = configuration or Configurations.Laptop.latest()
    return CacheClient.create(config, credentials(server, token), ttl, eager_connection_timeout=timedelta(seconds=5))


@pytest.fixture(scope="session")
def shared_client(momento_local_session: MomentoLocalServer) -> Iterator[CacheClient]:
    """One client for the session: closing a client takes the SDK about 0.2 s, which per test would dominate."""
    with make_client(momento_local_session) as cache_client:
        yield cache_client


@pytest.fixture
def client(momento_local: MomentoLocalServer, shared_client: CacheClient) -> CacheClient:
    """A client of the server as `momento_local` resets it for each test."""
    return shared_client


@pytest.fixture
def client_factory(momento_local: MomentoLocalServer) -> Iterator[Callable[..., CacheClient]]:
    """Builds extra clients (other tokens, configurations, TTLs); closes them all afterwards."""
    with ExitStack() as stack:

        def build(**kwargs: object) -> CacheClient:
            return stack.enter_context(make_client(momento_local, **kwargs))  # type: ignore[arg-type]

        yield build


@pytest.fixture
async def async_client(momento_local: MomentoLocalServer) -> AsyncIterator[CacheClientAsync]:
    config = Configurations.Laptop.latest()
    async with await CacheClientAsync.create(
        config, credentials(momento_local), DEFAULT_TTL, eager_connection_timeout=timedelta(seconds=5)
    ) as cache_client:
        yield cache_client


@pytest.fixture
def channel(momento_local: MomentoLocalServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(momento_local.address) as open_channel:
        yield open_channel


@pytest.fixture
def stub(channel: grpc.Channel) -> pb_grpc.ScsStub:
    return pb_grpc.ScsStub(channel)  # type: ignore[no-untyped-call]
