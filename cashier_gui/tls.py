"""TLS for the Viopay API: the operating system's trust store (via truststore), or a CA bundle
the installer names in settings. Verification is never switched off."""

from __future__ import annotations

import ssl


def tls_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    if ca_bundle:
        from cashier_gui.config import ConfigError

        try:
            return ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"The CA bundle {ca_bundle} cannot be used ({exc}): fix the path in Settings."
            ) from None
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
