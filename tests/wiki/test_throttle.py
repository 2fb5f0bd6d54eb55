"""Sign-in throttling against the real state database (SQLite)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from wiki.db import Database
from wiki.errors import RateLimited
from wiki.throttle import SignInThrottle, ThrottlePolicy

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def throttle(tmp_path) -> SignInThrottle:
    db = Database(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    db.create_all()
    return SignInThrottle(db, ThrottlePolicy(account_limit=3, address_limit=5, delay_per_failure=0.5))


def test_failures_slow_down_then_lock_the_account(throttle):
    assert throttle.check("김철수", "10.0.0.1", T0) == 0
    throttle.failed("kimcs", "127.0.0.1", T0)
    throttle.failed("kimcs", "127.0.0.1", T0)
    assert throttle.check("kimcs", "127.0.0.2", T0) == pytest.approx(0.5)
    throttle.failed("kimcs", "127.0.0.1", T0)
    with pytest.raises(RateLimited) as caught:
        throttle.check("kimcs", "127.0.0.9", T0 + timedelta(minutes=1))
    assert "14 minute" in caught.value.message
    assert caught.value.status == 429
    assert throttle.check("kimcs", "127.0.0.9", T0 + timedelta(minutes=16)) >= 0


def test_address_is_locked_across_accounts(throttle):
    for index in range(5):
        throttle.failed(f"user{index}", "192.0.2.7", T0)
    with pytest.raises(RateLimited):
        throttle.check("someone-else", "192.0.2.7", T0)
    assert throttle.check("someone-else", "192.0.2.8", T0) == 0


def test_success_clears_the_account_count_and_old_failures_expire(throttle):
    throttle.failed("leeyh", "127.0.0.1", T0)
    throttle.failed("leeyh", "127.0.0.1", T0)
    throttle.succeeded("leeyh")
    throttle.failed("leeyh", "127.0.0.1", T0)
    throttle.failed("leeyh", "127.0.0.1", T0 + timedelta(minutes=20))
    throttle.failed("leeyh", "127.0.0.1", T0 + timedelta(minutes=20))
    assert throttle.check("leeyh", "127.0.0.3", T0 + timedelta(minutes=20)) == pytest.approx(0.5)
