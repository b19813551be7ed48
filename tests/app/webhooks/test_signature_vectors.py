"""Return Helper signatures from openssl and Node.js (independent of the code under test)
are what the receiver accepts; anything else is refused."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from app.returnhelper.signature import verify
from tests.app.webhooks.events import iso, new_inventory
from tests.fixtures.receiver import RunningReceiver, openssl_signature

KEY = base64.b64encode(b"return-desk test signing key 32b").decode()
URL = "https://hooks.example.com/webhooks/returnhelper"
STAMP = "2021-07-21T13:58:40.2794872Z"
BODY = ('{"resend":{"resendId":295,"description":"café ✓"},"category":"resend",'
        '"action":"forceCancelResend","eventTime":"2021-07-21T13:58:40.279329Z"}').encode()

NODE_SIGN = """
const crypto = require('crypto');
const [key, url, stamp, bodyB64] = process.argv.slice(1);
const text = Buffer.concat([Buffer.from('POST' + url + stamp, 'utf8'), Buffer.from(bodyB64, 'base64')]);
// the vendor's steps: base64(utf8(text)), decode it again, HMAC-SHA256 with the decoded key
const message = Buffer.from(text.toString('base64'), 'base64');
const mac = crypto.createHmac('sha256', Buffer.from(key, 'base64'));
process.stdout.write(mac.update(message).digest('base64'));
"""


def node_signature(key: str, url: str, stamp: str, body: bytes) -> str:
    return subprocess.run(["node", "-e", NODE_SIGN, key, url, stamp,
                           base64.b64encode(body).decode()],
                          capture_output=True, check=True, text=True).stdout.strip()


def test_openssl_vector_verifies() -> None:
    signature = openssl_signature(KEY, URL, STAMP, BODY)
    assert len(base64.b64decode(signature)) == 32
    assert verify(KEY, URL, STAMP, BODY, signature)
    assert not verify(KEY, URL + "/", STAMP, BODY, signature)
    assert not verify(KEY, URL, STAMP.replace("40.", "41."), BODY, signature)
    assert not verify(KEY, URL, STAMP, BODY.replace(b"295", b"296"), signature)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_node_and_openssl_agree() -> None:
    assert node_signature(KEY, URL, STAMP, BODY) == openssl_signature(KEY, URL, STAMP, BODY)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_receiver_accepts_a_node_signed_event(receiver: RunningReceiver) -> None:
    body = json.dumps(new_inventory(123456)).encode()
    stamp = iso(datetime.now(UTC))
    signature = node_signature(receiver.signing_key, receiver.rh_url, stamp, body)
    response = receiver.post_rh(body, timestamp=stamp, signature=signature)
    assert response.status_code == 200
    assert receiver.store.get("rh:123456") is not None
