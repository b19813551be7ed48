"""Demo mode: the built-in sandbox, a temporary SQLite store and the in-app webhook receiver.

It runs the way production runs, only on loopback: the sandbox plays Return Helper, its
parcels reach the store as signed ``newInventoryCreated`` webhooks through the real
receiver (that is where dimensions and weights come from), decisions go to the sandbox's
API through the outbox, and the sandbox's "warehouse" answers with
``completeInventoryHandling`` events. Nothing is written outside a temporary folder, and
the sandbox's keys are kept in memory only.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.credentials import Credentials, Secret
from app.settings import Environment, Settings, user_agent
from app.store import Store, open_store

if TYPE_CHECKING:
    from app.returnhelper.client import ReturnHelperClient
    from app.sandbox.deliver import DeliveryReport
    from app.sandbox.server import SandboxServer
    from app.webhooks.service import WebhookService

log = logging.getLogger(__name__)
DEMO_NOTE = "demo mode: the sandbox's own keys, kept in memory for this session"


@dataclass
class DemoEnvironment:
    settings: Settings
    store: Store
    credentials: Credentials
    sandbox: SandboxServer
    receiver: WebhookService
    rh: ReturnHelperClient
    folder: Path
    hook_url: str
    delivery: asyncio.Task[DeliveryReport] | None = field(default=None)


@contextlib.asynccontextmanager
async def demo_environment(base: Settings, *, items: int = 3000, deliver: bool = True,
                           act_after_s: float = 2.0) -> AsyncIterator[DemoEnvironment]:
    """Start everything the demo needs on the running loop; stop and delete it all on exit."""
    from app.returnhelper.client import ReturnHelperClient
    from app.sandbox.server import SandboxServer
    from app.webhooks.service import WebhookService

    folder = Path(tempfile.mkdtemp(prefix="returndesk-demo-"))
    sandbox = SandboxServer(items=items, act_after_s=act_after_s)
    await asyncio.to_thread(sandbox.start)
    stack = contextlib.AsyncExitStack()
    try:
        stack.callback(shutil.rmtree, folder, True)
        stack.callback(sandbox.stop)
        settings = dataclasses.replace(
            base, environment=Environment.SANDBOX, rh_user_api=sandbox.user_base,
            rh_public_api=sandbox.public_base, store=str(folder / "demo.sqlite3"),
            webhooks_host="127.0.0.1", webhooks_port=0, winit_plaintext_events=False)
        store = open_store(settings.store)
        stack.callback(store.close)
        credentials = Credentials(memory_only=DEMO_NOTE)
        scope = Environment.SANDBOX.value
        credentials.set(Secret.RH_API_KEY, sandbox.api_key, scope)
        credentials.set(Secret.RH_API_TOKEN, sandbox.api_token, scope)
        credentials.set(Secret.RH_SIGNING_KEY, sandbox.signing_key, scope)
        receiver = WebhookService(store, credentials, settings, port=0)
        await receiver.start()
        stack.push_async_callback(receiver.stop)
        hook_url = receiver.url + "/webhooks/returnhelper"
        settings.webhooks_public_url = hook_url  # read per request by the receiver
        sandbox.set_receiver(hook_url, registered_url=hook_url)
        rh = ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                sandbox.api_token, timeout=settings.timeout_s,
                                concurrency=settings.concurrency,
                                user_agent=user_agent(__version__))
        stack.push_async_callback(rh.aclose)
        env = DemoEnvironment(settings, store, credentials, sandbox, receiver, rh, folder, hook_url)
        if deliver:
            # Thousands of seeded events: the log keeps the receiver's warnings, not a line each.
            hooks_log = logging.getLogger("app.webhooks")
            stack.callback(hooks_log.setLevel, hooks_log.level)
            hooks_log.setLevel(logging.WARNING)
            env.delivery = asyncio.get_running_loop().create_task(
                asyncio.to_thread(sandbox.deliver_new_inventories, hook_url, registered_url=hook_url,
                                  concurrency=4),
                name="demo-webhook-delivery")
            stack.push_async_callback(_settle, env)
        log.info("demo mode: sandbox at %s, receiver at %s, store %s",
                 sandbox.root, hook_url, settings.store)
        yield env
    finally:
        await stack.aclose()


async def _settle(env: DemoEnvironment) -> None:
    """Stop the receiver first, so a delivery still running fails fast, then let it end."""
    await env.receiver.stop()
    if env.delivery is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(env.delivery), 30)
