"""A smaller run of the load test (tests/bench/load_webhooks_pg.py): concurrent signed webhooks
into PostgreSQL while two desks read; nothing lost, nothing stored twice."""

import pytest

from tests.bench.load_webhooks_pg import report, run_load

pytestmark = pytest.mark.slow


def test_concurrent_webhooks_on_postgres_lose_and_duplicate_nothing(postgres_url: str) -> None:
    result = run_load(postgres_url, events=1500, senders=20)
    print(report(result))
    assert result.failed == 0 and result.accepted == 1500
    assert result.stored_records == 1500
    assert result.stored_events == 1500
    assert result.stored_after_resend == 1500 and result.duplicates_resent == 500
    assert all(desk.reads > 0 for desk in result.desk_reads)
