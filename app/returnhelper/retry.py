"""Retrying a Return Helper call: 429 (honouring ``Retry-After``, capped), 5xx and network
errors, with exponential backoff and jitter; never soft errors, 401, 404 or 409 (an
:class:`~app.returnhelper.errors.ApiError` says whether it is ``retryable``).

The first attempt runs outside :mod:`tenacity`: most calls succeed at once, and the retry
machinery's bookkeeping is then never built.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from app.returnhelper.errors import ApiError, RateLimitedError, ServerError

log = logging.getLogger(__name__)
T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait; ``sleep`` is what waits (tests record the waits)."""

    retries: int
    backoff_initial: float
    backoff_max: float
    retry_after_cap: float
    sleep: Sleep

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimitedError | ServerError) and exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), self.retry_after_cap)
        # exponential backoff with jitter (computed here: tenacity's helper changed its
        # parameters between versions)
        exponential: float = self.backoff_initial * 2.0 ** (state.attempt_number - 1)
        return min(self.backoff_max, exponential + random.uniform(0, self.backoff_initial))

    async def run(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        """``attempt()`` until it succeeds, fails for good, or the retries run out (then
        its last failure is raised). ``what`` names the call in the log."""
        try:  # the first attempt without the retry machinery's bookkeeping
            return await attempt()
        except ApiError as exc:
            if not exc.retryable or self.retries == 0:
                raise
            failures = [exc]
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=self.wait,
            retry=retry_if_exception(lambda e: isinstance(e, ApiError) and e.retryable),
            sleep=self.sleep,
            before_sleep=lambda state: log.warning(
                "Return Helper %s failed (%s), attempt %d, retrying", what,
                state.outcome.exception() if state.outcome else "?", state.attempt_number),
            reraise=True,
        )
        async for try_ in retrying:
            with try_:
                if failures:  # attempt 1 is the one above: its failure, for tenacity to wait on
                    raise failures.pop()
                return await attempt()
        raise AssertionError("unreachable")  # pragma: no cover
