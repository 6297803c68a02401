"""A local Momento-compatible server (sorted sets, scalars, TTLs, caches, auth, faults) for tests and laptops.

The official `momento` SDK reaches it unmodified through `CredentialProvider.for_momento_local(host, port)`.
It exists outside `src/` and is never deployed.
"""

from momento_local.faults import Faults
from momento_local.server import MomentoLocalServer

__all__ = ["Faults", "MomentoLocalServer"]
