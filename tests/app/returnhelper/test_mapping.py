"""Return Helper JSON shapes -> InventoryRecord, including malformed fields."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.model import LineKind, Source, merge
from app.returnhelper.mapping import (
    MappingError,
    file_base_for,
    map_details,
    map_list_row,
    map_many,
    map_recalibrate,
    map_webhook_inventory,
)

EVENT_TIME = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)

LIST_ROW = {
    "returnInventoryId": 5100000123, "returnRequestId": 880001,
    "returnRequestLineItemId": 3300001, "rma": "USE-2-240715-D00003-30",
    "itemRma": "USE-2-240715-D00003-01-17", "sku": "SKU-LAMP-1234", "handlingCode": "tbc",
    "handlingStatusCode": "pending", "warehouseId": 2, "createOn": "2026-10-01T09:30:00Z"}

DETAILS = {
    "returnInventoryId": "5100000123", "warehouseId": "2", "returnRequestLineItemId": 3300001,
    "returnRequestId": 880001, "sellerReferenceNumber": "ORD-1", "rma": "USE-2-240715-D00003-30",
    "description": "desk lamp", "weight": 1250, "weightUom": "g", "valueCurrencyCode": "USD",
    "value": 19.99, "handlingCode": "ohd", "handlingStatusCode": "pending",
    "returnRequestLineItemImages": [{
        "s3SmallFileKey": "img/a-small.png", "s3MediumFileKey": "img/a-medium.png",
        "s3LargeFileKey": "img/a-large.png", "s3OriginalFileKey": "img/a.png"}],
    "returnRequestLineItemVasList": [{"vasCode": "pht", "isFinished": False},
                                     {"vasCode": "rlb", "isFinished": "true"}],
    "warehouseRemarks": "box damaged", "handlingUpdatedOnStr": "2026-11-01T10:00:00",
    "sku": None}

INVENTORY = {
    "returnInventoryId": "5100000123", "warehouseId": 2, "apiId": "api-1",
    "description": "desk lamp", "quantity": 1, "dimension1": 30, "dimension2": 20,
    "dimension3": 10, "dimensionUom": "cm", "weight": 1250, "weightUom": "g",
    "valueCurrencyCode": "USD", "value": 19.99, "handlingCode": "tbc",
    "handlingStatusCode": "pending", "completeOn": None, "warehouseRemarks": None,
    "handlingUpdatedOn": None, "sku": None, "rma": "USE-2-240715-D00003-30",
    "modifyOn": "2026-11-02T10:00:00Z", "createOn": "2026-11-02T09:00:00Z",
    "imageList": [{"imageUrl": "https://file.returnhelpercentre.com/img/a.png",
                   "imageKey": "img/a.png"}],
    "returnInventoryMetaList": [{"metaType": "whs", "metaMap": {"LPN": "LPN0001"}},
                                {"metaType": "usr", "metaMap": {"EAN": 4006381333931}}]}
SHIPMENT = {"shipmentId": 440001, "returnRequestId": 880001, "trackingNumber": "1Z999AA10123456784",
            "referenceNumber": "REF123", "serviceType": "standard", "customFieldMap": {},
            "shipToWarehouseId": 2, "receiveDate": "2026-11-02T08:00:00Z"}
RECALIBRATE = {"warehouseId": 2, "returnInventoryId": 5100000123,
               "returnRequestLineItemId": 3300001, "rma": "USE-2-240715-D00003-30",
               "dimension1": "30.5", "dimension2": 20.25, "dimension3": 10,
               "weight": 1300, "recalibratedOn": "2026-11-05T12:00:00Z"}


def test_list_row():
    record = map_list_row(LIST_ROW)
    assert record.source is Source.RETURN_HELPER
    assert record.key == "rh:5100000123" and record.return_inventory_id == 5100000123
    assert record.rma == LIST_ROW["rma"] and record.item_rma == LIST_ROW["itemRma"]
    assert record.warehouse == "USE-2"  # prefix from the RMA, id from warehouseId
    assert record.handling_code == "tbc" and record.handling_status == "pending"
    assert record.lines[0].sku == "SKU-LAMP-1234" and record.lines[0].kind is LineKind.RECEIVED
    assert record.created_at == datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
    # no vendor time carried: a view without a time (never createOn, never the fetch time)
    assert record.updated_at is None
    assert map_list_row(LIST_ROW).updated_at is None
    modified = {**LIST_ROW, "modifyOn": "2026-10-02T10:00:00Z"}
    assert map_list_row(modified).updated_at == datetime(2026, 10, 2, 10, 0, tzinfo=UTC)


def test_details_without_a_vendor_time_have_no_time():
    pending = {k: v for k, v in DETAILS.items()
               if k not in {"handlingUpdatedOnStr", "handlingUpdatedOn", "modifyOn"}}
    assert map_details(pending, file_base="https://file.returnhelpercentre.com").updated_at is None


def test_list_row_ids_as_strings_and_legacy_numeric_codes():
    row = {**LIST_ROW, "returnInventoryId": "5100000123", "returnRequestId": "880001",
           "handlingCode": 4, "handlingStatusCode": "1", "warehouseId": "9"}
    record = map_list_row(row)
    assert record.return_inventory_id == 5100000123 and record.return_request_id == 880001
    assert record.handling_code == "ohd" and record.handling_status == "inProgress"
    assert record.warehouse == "9"  # does not match the RMA's warehouse: kept as sent


@pytest.mark.parametrize(("code", "expected"), [
    ("tbc", "tbc"), ("RTN", "rtn"), ("dis", "dis"), ("rst", "rst"), ("dsp", "dsp"),
    (0, "tbc"), (1, "rtn"), (2, "dis"), (3, "rsd"), (4, "ohd"), (5, "oth"), ("5", "oth")])
def test_handling_codes_old_new_and_numeric(code, expected):
    assert map_list_row({**LIST_ROW, "handlingCode": code}).handling_code == expected


def test_details_record():
    record = map_details(DETAILS, file_base="https://file.returnhelpercentre.com")
    assert record.key == "rh:5100000123"
    assert record.seller_reference == "ORD-1" and record.description == "desk lamp"
    line = record.lines[0]
    assert line.weight_kg == Decimal("1.25")
    assert line.length_cm is None and line.sku is None
    assert record.value == Decimal("19.99") and record.currency == "USD"
    assert record.handling_code == "ohd"
    (image,) = record.images
    assert image.url == "https://file.returnhelpercentre.com/img/a.png"
    assert image.thumbnail_url == "https://file.returnhelpercentre.com/img/a-small.png"
    assert [(v.code, v.finished) for v in record.vas] == [("pht", False), ("rlb", True)]
    assert record.has_unfinished_vas
    assert record.remarks == "box damaged"
    assert record.handling_updated_at == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    assert record.updated_at == record.handling_updated_at


def test_details_image_keys_without_a_file_host_are_an_error():
    with pytest.raises(MappingError) as info:
        map_details(DETAILS, file_base=None)
    assert "returnRequestLineItemImages[0]" in info.value.field


def test_webhook_inventory_with_shipment():
    record = map_webhook_inventory(INVENTORY, SHIPMENT, event_time=EVENT_TIME)
    assert record.key == "rh:5100000123"
    line = record.lines[0]
    assert (line.length_cm, line.width_cm, line.height_cm) == (30, 20, 10)
    assert line.volume_m3 == Decimal("0.006")
    assert line.weight_kg == Decimal("1.25")
    assert record.tracking_numbers == ("1Z999AA10123456784",)
    assert record.return_request_id == 880001
    assert record.seller_reference == "REF123"
    assert record.received_at == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    assert record.meta == {"LPN": "LPN0001", "EAN": "4006381333931"}
    assert record.images[0].url.endswith("/img/a.png")
    assert record.updated_at == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # modifyOn
    assert record.warehouse == "USE-2"


def test_webhook_inventory_without_times_uses_the_event_time():
    inventory = {**INVENTORY, "modifyOn": None}
    assert map_webhook_inventory(inventory, event_time=EVENT_TIME).updated_at == EVENT_TIME


def test_webhook_units_are_converted():
    inventory = {**INVENTORY, "weight": "2.5", "weightUom": "kg", "dimension1": 300,
                 "dimension2": 200, "dimension3": 100, "dimensionUom": "mm"}
    line = map_webhook_inventory(inventory).lines[0]
    assert line.weight_kg == Decimal("2.5")
    assert (line.length_cm, line.width_cm, line.height_cm) == (30, 20, 10)


def test_recalibrate_supplement():
    record = map_recalibrate(RECALIBRATE, event_time=EVENT_TIME)
    line = record.lines[0]
    assert (line.length_cm, line.width_cm, line.height_cm) == (
        Decimal("30.5"), Decimal("20.25"), Decimal(10))
    assert line.weight_kg == Decimal("1.3")
    assert record.updated_at == datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    assert record.handling_code is None  # a re-measure says nothing about the handling


def test_views_merge_into_one_record():
    created = map_webhook_inventory(INVENTORY, SHIPMENT, event_time=EVENT_TIME)
    details = map_details(DETAILS, file_base="https://file.returnhelpercentre.com")
    remeasured = map_recalibrate(RECALIBRATE)
    merged = merge(merge(created, details), remeasured)
    line = merged.lines[0]
    assert line.length_cm == Decimal("30.5")  # newest measure
    assert merged.tracking_numbers == ("1Z999AA10123456784",)  # only the webhook had it
    assert merged.remarks == "box damaged"  # only the details record had it
    assert merged.seller_reference == "REF123"  # the newer view (modifyOn) wins
    assert merged.has_unfinished_vas


BAD_FIELDS = [
    ("list", {"returnInventoryId": "abc"}, "returnInventoryId"),
    ("list", {"returnInventoryId": None}, "returnInventoryId"),
    ("list", {"returnInventoryId": 12.5}, "returnInventoryId"),
    ("list", {"createOn": "yesterday"}, "createOn"),
    ("list", {"handlingCode": 9}, "handlingCode"),
    ("list", {"handlingStatusCode": 7}, "handlingStatusCode"),
    ("list", {"rma": {"a": 1}}, "rma"),
    ("list", {"sku": ["x"]}, "sku"),
    ("details", {"weight": "heavy"}, "weight"),
    ("details", {"weightUom": "stone"}, "weightUom"),
    ("details", {"value": "lots"}, "value"),
    ("details", {"returnRequestLineItemVasList": [{"vasCode": "pht", "isFinished": "maybe"}]},
     "returnRequestLineItemVasList[0].isFinished"),
    ("details", {"returnRequestLineItemVasList": {"vasCode": "pht"}},
     "returnRequestLineItemVasList"),
    ("details", {"returnRequestLineItemVasList": [{"isFinished": True}]},
     "returnRequestLineItemVasList[0].vasCode"),
    ("webhook", {"dimension1": {"v": 1}}, "returnInventory.dimension1"),
    ("webhook", {"dimensionUom": "furlong"}, "returnInventory.dimensionUom"),
    ("webhook", {"weight": True}, "returnInventory.weight"),
    ("webhook", {"imageList": "a.png"}, "returnInventory.imageList"),
    ("webhook", {"imageList": ["a.png"]}, "returnInventory.imageList[0]"),
    ("webhook", {"returnInventoryMetaList": [{"metaType": "whs", "metaMap": "LPN"}]},
     "returnInventory.returnInventoryMetaList[0].metaMap"),
    ("webhook", {"modifyOn": "2026-13-45"}, "returnInventory.modifyOn"),
    ("shipment", {"receiveDate": "soon"}, "shipment.receiveDate"),
    ("shipment", {"returnRequestId": "x1"}, "shipment.returnRequestId"),
    ("recalibrate", {"dimension2": "20,5,1"}, "recalibrateSupplement.dimension2"),
    ("webhook", {"weight": "1,250"}, "returnInventory.weight"),      # 1.25 g or 1250 g?
    ("recalibrate", {"weight": "1,250"}, "recalibrateSupplement.weight"),
    ("recalibrate", {"recalibratedOn": "later"}, "recalibrateSupplement.recalibratedOn"),
]


@pytest.mark.parametrize(("shape", "change", "field"), BAD_FIELDS)
def test_malformed_fields_raise_naming_the_field(shape, change, field):
    if shape == "list":
        call = lambda: map_list_row({**LIST_ROW, **change})  # noqa: E731
    elif shape == "details":
        call = lambda: map_details({**DETAILS, **change}, file_base="https://f")  # noqa: E731
    elif shape == "webhook":
        call = lambda: map_webhook_inventory({**INVENTORY, **change}, SHIPMENT)  # noqa: E731
    elif shape == "shipment":
        call = lambda: map_webhook_inventory(INVENTORY, {**SHIPMENT, **change})  # noqa: E731
    else:
        call = lambda: map_recalibrate({**RECALIBRATE, **change})  # noqa: E731
    with pytest.raises(MappingError) as info:
        call()
    assert info.value.field == field
    assert field in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("payload", [None, [], "text", 5])
def test_a_shape_that_is_not_an_object(payload):
    with pytest.raises(MappingError):
        map_webhook_inventory(payload)
    with pytest.raises(MappingError):
        map_list_row(payload)


def test_map_many_names_the_bad_row():
    rows = [LIST_ROW, copy.deepcopy(LIST_ROW), {**LIST_ROW, "createOn": "?"}]
    with pytest.raises(MappingError) as info:
        map_many(rows)
    assert info.value.field == "data[2].createOn"
    assert len(map_many(rows[:2])) == 2


def test_file_hosts_per_environment():
    assert file_base_for("https://api.returnshelper.com/uat/user/api") == \
        "https://rr-dev-files.returnshelper.com"
    assert file_base_for("https://api.returnhelpercentre.com/v1/user/api") == \
        "https://file.returnhelpercentre.com"
    assert file_base_for("http://127.0.0.1:8700/user/api") == "http://127.0.0.1:8700/files"
    assert file_base_for("https://other.example.com/api") is None


def test_repeated_codes_and_plain_values_map_like_the_first_time():
    # the hot path remembers normalised codes and skips parsing for plain ints/strings:
    # the answers must not depend on what was mapped before
    for _ in range(3):
        record = map_list_row({**LIST_ROW, "handlingCode": " RTN ", "handlingStatusCode":
                               "INPROGRESS", "rma": "  USE-2-240715-D00003-30 ", "sku": "  "})
        assert record.handling_code == "rtn" and record.handling_status == "inProgress"
        assert record.rma == "USE-2-240715-D00003-30" and record.lines == ()
        with pytest.raises(MappingError) as info:
            map_list_row({**LIST_ROW, "handlingCode": "99"})
        assert info.value.field == "handlingCode"
        with pytest.raises(MappingError) as info:
            map_list_row({**LIST_ROW, "handlingStatusCode": 7})
        assert info.value.field == "handlingStatusCode"


@pytest.mark.parametrize("value", [10 ** 30, -(10 ** 30), True])
def test_ids_out_of_range_or_not_numbers_are_refused(value):
    with pytest.raises(MappingError) as info:
        map_list_row({**LIST_ROW, "returnRequestId": value})
    assert info.value.field == "returnRequestId"


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-10-01T09:30:00Z", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),
    ("2026-10-01T09:30:00z", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),
    ("2026-10-01T09:30:00", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),     # no zone: UTC
    ("2026-10-01T11:30:00.250+02:00", datetime(2026, 10, 1, 9, 30, 0, 250000, tzinfo=UTC)),
    (" 2026-10-01T09:30:00Z ", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),
    ("2026-10-01T09:30:00Z\n", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),
    ("1790000000000", datetime.fromtimestamp(1790000000, UTC)),          # epoch ms
])
def test_list_row_times_in_every_form(text, expected):
    assert map_list_row({**LIST_ROW, "createOn": text}).created_at == expected


@pytest.mark.parametrize("text", ["2026-10-01T25:30:00Z", "2026-10-01 and some", "2026-13"])
def test_list_row_unreadable_times_name_the_field(text):
    with pytest.raises(MappingError) as info:
        map_list_row({**LIST_ROW, "createOn": text})
    assert info.value.field == "createOn"


@pytest.mark.parametrize("change", [
    {},
    {"rma": "  use-2-240715-D00003-30 ", "itemRma": " ", "sku": None, "warehouseId": " 2 "},
    {"warehouseId": 7}, {"warehouseId": None, "rma": None}, {"warehouseId": "ABC"},
    {"returnRequestId": None, "returnRequestLineItemId": None, "handlingCode": None,
     "handlingStatusCode": None, "createOn": None},
    {"handlingCode": "TBC", "handlingStatusCode": "Completed"},   # not yet seen: careful path
    {"handlingCode": 3, "handlingStatusCode": 1},                   # older numeric codes
    {"returnInventoryId": "5100000123", "returnRequestId": "880001"},
    {"createOn": "2026-10-01T09:30:00", "modifyOn": "2026-10-02T09:30:00+02:00",
     "handlingUpdatedOn": "2026-10-03T09:30:00.123Z"},
    {"createOn": "2026-10-01 09:30"}, {"createOn": "1 Oct 2026 09:30:00 +0000"},
    {"returnRequestId": True},
])
def test_reading_a_usual_list_row_says_what_the_careful_reading_says(change):
    from types import MappingProxyType

    from app.returnhelper.mapping import _read_usual_list_row, read_list_row

    row = {**LIST_ROW, **change}
    careful: object
    try:
        careful = read_list_row(MappingProxyType(row))   # not a dict: always the careful way
    except MappingError as exc:
        careful = exc
    try:
        quick: object = read_list_row(row)
    except MappingError as exc:
        quick = exc
    if isinstance(careful, MappingError):
        assert isinstance(quick, MappingError) and str(quick) == str(careful)
    else:
        assert quick == careful
        assert map_list_row(row) == map_list_row(MappingProxyType(row))
    if not change:   # the usual row does go the quick way (its codes were read once above)
        assert _read_usual_list_row(row) == careful


def test_repeated_dimensions_and_weights_convert_the_same_as_the_first_time() -> None:
    """Whole-number sizes are remembered per unit: the same numbers in another unit, or the
    same record twice, must still convert exactly."""
    base = {"returnInventoryId": 1, "dimension1": 30, "dimension2": 20, "dimension3": 10,
            "weight": 1250}
    first = map_webhook_inventory({**base, "dimensionUom": "cm", "weightUom": "g"})
    again = map_webhook_inventory({**base, "dimensionUom": "cm", "weightUom": "g"})
    inches = map_webhook_inventory({**base, "dimensionUom": "in", "weightUom": "kg"})
    assert first.lines == again.lines
    assert first.lines[0].length_cm == Decimal(30) and first.lines[0].weight_kg == Decimal("1.25")
    assert inches.lines[0].length_cm == Decimal("76.2")
    assert inches.lines[0].weight_kg == Decimal(1250)
    with pytest.raises(MappingError, match="dimensionUom"):
        map_webhook_inventory({**base, "dimensionUom": "furlong"})


#: Times out of range (JSON 1e400 reads as infinity): a field error, never a crash.
OUT_OF_RANGE_TIMES = [float("inf"), float("nan"), 1e300, -1e20, 10 ** 20, 10 ** 30,
                      "99999999999999999999", "0001-01-01T00:00:00+08:00",
                      "9999-12-31T23:59:59-08:00"]


@pytest.mark.parametrize("value", OUT_OF_RANGE_TIMES, ids=repr)
@pytest.mark.parametrize(("shape", "name", "field"), [
    ("list", "createOn", "createOn"), ("list", "modifyOn", "modifyOn"),
    ("details", "handlingUpdatedOnStr", "handlingUpdatedOnStr"),
    ("webhook", "modifyOn", "returnInventory.modifyOn"),
    ("webhook", "createOn", "returnInventory.createOn"),
    ("shipment", "receiveDate", "shipment.receiveDate"),
    ("recalibrate", "recalibratedOn", "recalibrateSupplement.recalibratedOn"),
])
def test_times_out_of_range_are_field_errors(shape, name, field, value):
    change = {name: value}
    mappers = {
        "list": lambda: map_list_row({**LIST_ROW, **change}),
        "details": lambda: map_details({**DETAILS, **change}, file_base="https://f"),
        "webhook": lambda: map_webhook_inventory({**INVENTORY, **change}, SHIPMENT),
        "shipment": lambda: map_webhook_inventory(INVENTORY, {**SHIPMENT, **change}),
        "recalibrate": lambda: map_recalibrate({**RECALIBRATE, **change}),
    }
    with pytest.raises(MappingError, match="out of range") as info:
        mappers[shape]()
    assert info.value.field == field
