"""Every way a Return Helper call can fail, as exceptions that say what to do next.

Each error carries the ``correlation_id`` Return Helper's support asks for, the HTTP status
(``None`` when no answer arrived), a message an operator can read and ``retryable``: whether
sending the same request again (with the same idempotency key) may succeed.
"""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    """Base class: a Return Helper call did not succeed."""

    retryable: bool = False

    def __init__(self, message: str, *, correlation_id: str | None = None,
                 http_status: int | None = None, error_code: str | None = None,
                 field_errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.correlation_id = correlation_id
        self.http_status = http_status
        self.error_code = error_code
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})

    def __str__(self) -> str:
        text = self.message
        if self.field_errors:
            details = "; ".join(
                f"{name}: {', '.join(msgs)}" if name else ", ".join(msgs)
                for name, msgs in self.field_errors.items())
            if details and details not in text:
                text = f"{text}: {details}"
        if self.correlation_id:
            text = f"{text} (correlation id {self.correlation_id})"
        return text

    @property
    def user_message(self) -> str:
        """The text to show an operator: message, field messages and correlation id."""
        return str(self)


class SoftError(ApiError):
    """HTTP 200 (or 400) whose ``meta.status`` is 4xx: Return Helper refused the request.

    ``field_errors`` maps a field name (as Return Helper spells it) to its messages; a
    message not tied to a field is under ``""``.
    """


class AuthError(ApiError):
    """401/403: the API key or token is wrong, expired or lacks the right."""


class NotFoundError(ApiError):
    """404: the record does not exist (or does not belong to this account)."""


class ConflictApiError(ApiError):
    """409: the request conflicts with the record's state or with an earlier request."""


class RateLimitedError(ApiError):
    """429: too many requests. ``retry_after`` is the server's wait in seconds, if it said."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None,
                 correlation_id: str | None = None, http_status: int | None = 429,
                 error_code: str | None = None) -> None:
        super().__init__(message, correlation_id=correlation_id, http_status=http_status,
                         error_code=error_code)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: Return Helper failed; trying again later may work (``retry_after`` if it said when)."""

    retryable = True
    retry_after: float | None = None


class NetworkError(ApiError):
    """No answer: connection refused or dropped, DNS, TLS, or a timeout."""

    retryable = True


class RequestTimeoutError(NetworkError):
    """No answer within the client's timeout."""


class ProtocolError(ApiError):
    """An answer that is not JSON or not Return Helper's envelope."""


class ClientRequestError(ApiError):
    """Another 4xx, or a request this client refuses to send (bad arguments)."""
