"""Who the visitor is, as far as the network says: the client's address, for
throttling failed sign-ins and capping open-link starts.

Streamlit gives the address of the peer of the websocket
(``st.context.ip_address``); behind a reverse proxy that is the proxy, so the
proxy's ``X-Forwarded-For`` is used instead, but only when the operator says
the proxy is there (``QP_TRUST_FORWARDED_FOR=1``): otherwise anyone could
write the header and count as someone else. The proxy must then set the
header itself, not append to one the client sent (``deploy/nginx.conf.template``
sets ``X-Forwarded-For $remote_addr``); the first address is taken.
"""
from __future__ import annotations

import os

import streamlit as st

#: behind a reverse proxy, set to 1 so the client is the first address of
#: X-Forwarded-For instead of the proxy
TRUST_FORWARDED = "QP_TRUST_FORWARDED_FOR"
MAX_ADDRESS = 64


def client_address() -> str:
    """The client's address (``local`` when there is no browser context)."""
    if os.environ.get(TRUST_FORWARDED) == "1":
        try:
            forwarded = st.context.headers.get("X-Forwarded-For") or ""
        except Exception:  # noqa: BLE001
            forwarded = ""
        if forwarded.strip():
            return forwarded.split(",")[0].strip()[:MAX_ADDRESS]
    try:
        return str(st.context.ip_address or "local")[:MAX_ADDRESS]
    except Exception:  # noqa: BLE001 - no browser context
        return "local"
