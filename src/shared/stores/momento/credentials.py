"""How a Momento API key becomes SDK credentials: one rule for the functions and for the deploy's preflight.

Standard library and the SDK only, so the preflight script can import it without the functions' configuration.
"""

from __future__ import annotations

import warnings

from momento import CredentialProvider


def momento_credentials(key: str, endpoint: str | None, local_address: str | None) -> CredentialProvider:
    """A local server's address (host:port, unencrypted) wins; a v2 key needs its endpoint; a legacy key carries its
    own. Raises what the SDK raises for a key it cannot read (its message may quote the key: never repeat it)."""
    if local_address:
        host, _, port = local_address.rpartition(":")
        return CredentialProvider(key, host, host, host, int(port))
    if endpoint:
        return CredentialProvider.from_api_key_v2(key, endpoint)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # legacy keys carry their endpoint; still supported
        return CredentialProvider.from_string(key)
