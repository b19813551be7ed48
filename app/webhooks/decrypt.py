"""WINIT event decryption, behind one small interface.

WINIT encrypts EVENT_OMS_RMA_STATUS_CHANGE bodies. Its documents say the decryption takes
the app's secret and the request (the ``x-event-signature-timestamp`` header is read), but
the cipher, the key derivation and the signature check are not published anywhere public.
So this module ships two implementations and one seam:

* :class:`PlaintextDecryptor` accepts bodies that are already the documented JSON array
  (a WINIT account set to push plaintext, a relay that decrypts, or tests). It is used only
  when the ``winit_plaintext_events`` setting is on; the endpoint is then protected by the
  long random token in its path.
* :class:`UnavailableDecryptor` (the default) refuses every body with a clear message; the
  receiver keeps the encrypted body in the raw-event log so nothing is lost.

When WINIT's cipher becomes known, a class with the same ``decrypt`` method is all it takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from app.settings import Settings

TIMESTAMP_HEADER = "x-event-signature-timestamp"


class DecryptionError(ValueError):
    """The body cannot be turned into the documented JSON. ``reason`` is a short code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class EventDecryptor(Protocol):
    name: str

    def decrypt(self, body: bytes, headers: Mapping[str, str]) -> bytes:
        """The plaintext JSON of an event body, or :class:`DecryptionError`."""
        ...


class PlaintextDecryptor:
    """The body is the plaintext JSON already (``winit_plaintext_events`` on)."""

    name = "plaintext"

    def decrypt(self, body: bytes, headers: Mapping[str, str]) -> bytes:
        return body


class UnavailableDecryptor:
    """No cipher: WINIT's event encryption is not public (see the README)."""

    name = "unavailable"

    def decrypt(self, body: bytes, headers: Mapping[str, str]) -> bytes:
        raise DecryptionError(
            "cannot_decrypt",
            "WINIT event decryption is not available (the cipher is not public); the body "
            "was kept in the raw-event log. Enable plaintext events only if WINIT or a relay "
            "sends plaintext (setting winit_plaintext_events).")


def decryptor_for(settings: Settings) -> EventDecryptor:
    return PlaintextDecryptor() if settings.winit_plaintext_events else UnavailableDecryptor()
