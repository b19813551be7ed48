"""WINIT MD5 signing against vectors computed by md5sum / openssl over hand-written text."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

from app.winit.signing import (
    SignedParams,
    build_body,
    client_sign,
    data_json,
    extract_data_json,
    sign,
    timestamp_text,
    verify_body,
)

TOKEN = "89A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3"
CLIENT_SECRET = "cs-2f1e0d9c8b7a"
DATA = {"OderStartDatetime": "2024-07-01", "OderEndDatetime": "2024-07-31",
        "warehouseCode": "US0001", "pageParams": {"pageSize": 200, "pageNo": 1}}
DATA_JSON = ('{"OderStartDatetime":"2024-07-01","OderEndDatetime":"2024-07-31",'
             '"warehouseCode":"US0001","pageParams":{"pageSize":200,"pageNo":1}}')
PARAMS = SignedParams(action="rma.returnGoodsOrder.queryReturnOderList", app_key="rd_seller_01",
                      data_json=DATA_JSON, platform="SELLERERP",
                      timestamp="2024-07-15 10:20:30")


def md5sum_upper(text: str) -> str:
    out = subprocess.run(["md5sum"], input=text.encode("utf-8"), capture_output=True,
                         check=True).stdout.decode()
    return out.split()[0].upper()


def openssl_md5_upper(text: str) -> str:
    out = subprocess.run(["openssl", "dgst", "-md5", "-r"], input=text.encode("utf-8"),
                         capture_output=True, check=True).stdout.decode()
    return out.split()[0].upper()


def hand_text(secret: str) -> str:
    # written out by hand from the vendor's formula, not from the code under test
    return (secret + "action" + "rma.returnGoodsOrder.queryReturnOderList"
            + "app_key" + "rd_seller_01" + "data" + DATA_JSON + "format" + "json"
            + "platform" + "SELLERERP" + "sign_method" + "md5"
            + "timestamp" + "2024-07-15 10:20:30" + "version" + "1.0" + secret)


def test_data_json_is_compact_and_ordered() -> None:
    assert data_json(DATA) == DATA_JSON


def test_sign_matches_md5sum_over_the_hand_written_text() -> None:
    expected = md5sum_upper(hand_text(TOKEN))
    assert expected == openssl_md5_upper(hand_text(TOKEN))
    assert len(expected) == 32 and expected == expected.upper()
    assert sign(TOKEN, PARAMS) == expected


def test_client_sign_uses_the_client_secret() -> None:
    expected = md5sum_upper(hand_text(CLIENT_SECRET))
    assert client_sign(CLIENT_SECRET, PARAMS) == expected
    assert client_sign(CLIENT_SECRET, PARAMS) != sign(TOKEN, PARAMS)


def test_non_ascii_data_is_signed_as_utf8() -> None:
    data = {"warehouseCode": "美西仓", "rmaNo": "RMA-é"}
    text = data_json(data)
    assert text == '{"warehouseCode":"美西仓","rmaNo":"RMA-é"}'
    params = SignedParams(action="a", app_key="k", data_json=text, timestamp="t")
    hand = (TOKEN + "action" + "a" + "app_key" + "k" + "data" + text + "format" + "json"
            + "platform" + "" + "sign_method" + "md5" + "timestamp" + "t" + "version" + "1.0"
            + TOKEN)
    assert sign(TOKEN, params) == md5sum_upper(hand)


def test_body_carries_data_byte_identical_to_the_signed_text() -> None:
    body = build_body(PARAMS, token=TOKEN, client_id="client-1", client_secret=CLIENT_SECRET)
    text = body.decode("utf-8")
    assert '"data":' + DATA_JSON in text
    assert extract_data_json(text) == DATA_JSON
    parsed = json.loads(body)
    assert parsed["sign"] == md5sum_upper(hand_text(TOKEN))
    assert parsed["client_sign"] == md5sum_upper(hand_text(CLIENT_SECRET))
    assert parsed["data"] == DATA
    assert {k: parsed[k] for k in ("format", "sign_method", "version", "language")} == {
        "format": "json", "sign_method": "md5", "version": "1.0", "language": "zh_CN"}
    assert verify_body(body, token=TOKEN, client_secret=CLIENT_SECRET)[0]


def test_a_reserialised_data_fails_verification() -> None:
    body = build_body(PARAMS, token=TOKEN, client_id="c", client_secret=None).decode()
    spaced = body.replace('"data":' + DATA_JSON, '"data":' + json.dumps(DATA))
    assert spaced != body
    assert not verify_body(spaced.encode(), token=TOKEN, client_secret=None)[0]
    assert verify_body(body.encode(), token=TOKEN, client_secret=None)[0]
    assert "client_sign" not in json.loads(body)      # only with a client secret


def test_timestamp_is_china_time() -> None:
    assert timestamp_text(datetime(2024, 7, 15, 2, 20, 30, tzinfo=UTC)) == "2024-07-15 10:20:30"
