"""Refuses an admin route's request unless API Gateway identified the admin key (requestContext.identity.apiKeyId).

API Gateway lets a request through a method that requires an API key when the key belongs to any usage plan of the
stage: with AdminAuth=API_KEY the write key, which ships inside game clients, would pass the gateway on the admin
routes too. The gateway puts the id of the key it accepted in the event, so the function compares it with the admin
key's id (ADMIN_API_KEY_ID, set by the template). Under AdminAuth=IAM the setting is empty and the signature, checked
by the gateway, is the whole protection: the check does nothing.
"""

from __future__ import annotations

from hmac import compare_digest

from shared.http.errors import AdminKeyRequired
from shared.http.middy import Hooks, Request
from shared.http.request import api_key_id_of


def admin_key(admin_api_key_id: str) -> Hooks:
    """`admin_api_key_id` empty: every request passes; otherwise only those whose key has that id."""

    def before(request: Request) -> None:
        if not admin_api_key_id:
            return
        sent = api_key_id_of(request.event)
        if sent is None or not compare_digest(sent.encode(), admin_api_key_id.encode()):
            raise AdminKeyRequired()

    return Hooks(before=before)
