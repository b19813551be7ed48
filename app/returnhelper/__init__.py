"""Return Helper: API client, response envelope, errors, JSON mapping, webhook signatures."""

from app.returnhelper.client import ApiResult, InventoryPage, ReturnHelperClient, split_windows
from app.returnhelper.errors import (
    ApiError,
    AuthError,
    ClientRequestError,
    ConflictApiError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    SoftError,
)
from app.returnhelper.mapping import MappingError

__all__ = [
    "ApiError", "ApiResult", "AuthError", "ClientRequestError", "ConflictApiError",
    "InventoryPage", "MappingError", "NetworkError", "NotFoundError", "ProtocolError",
    "RateLimitedError", "RequestTimeoutError", "ReturnHelperClient", "ServerError",
    "SoftError", "split_windows",
]
