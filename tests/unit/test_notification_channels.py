"""What one deployment shares through Redis and no other deployment hears: the worker's notification
signal (one channel per deployment) and the per-address budgets."""

from __future__ import annotations

import asyncio
import time
import uuid

from rxapp.abuse.address_budget import address_counter
from rxapp.services.event_budget import window_of
from rxapp.services.notification_signal import account_channel, account_of_channel, channel_pattern
from rxapp.settings import Settings
from tests.support.worker import require_redis


def _settings(database_url: str, redis_url: str = "redis://127.0.0.1:6379/0") -> Settings:
    return Settings(_env_file=None, database_url=database_url, redis_url=redis_url)


def test_an_instance_reaching_the_database_through_a_proxy_hears_the_worker() -> None:
    worker = _settings("postgresql+psycopg://ameli@db.internal:5432/ameli")
    web = _settings("postgresql+psycopg://ameli@127.0.0.1:6432/ameli")
    assert channel_pattern(web) == channel_pattern(worker)
    assert account_channel(worker, 42).startswith(channel_pattern(web).removesuffix("*"))


def test_two_deployments_on_one_redis_do_not_hear_each_other() -> None:
    ours = _settings("postgresql+psycopg://ameli@db:5432/ameli")
    assert channel_pattern(_settings("postgresql+psycopg://ameli@db:5432/recette")) != channel_pattern(ours)
    assert channel_pattern(
        _settings("postgresql+psycopg://ameli@db:5432/ameli", "redis://127.0.0.1:6379/3")
    ) != channel_pattern(ours)


def test_the_channel_names_its_account_and_nothing_else_parses() -> None:
    settings = _settings("postgresql+psycopg://ameli@db:5432/ameli")
    assert account_of_channel(account_channel(settings, 1234).encode()) == 1234
    assert account_of_channel("ameli:notifications:abc:not-a-number") is None


def test_the_address_budget_is_shared_by_a_deployments_instances_and_by_no_other_deployment() -> None:
    """Counted in the tests' Redis: two instances of one deployment add up, another deployment
    (a second test run, a staging site on the same Redis) starts from zero."""
    redis_url = "redis://127.0.0.1:6379/0"
    require_redis(redis_url)
    web_1 = _settings(f"postgresql+psycopg://ameli@db.internal:5432/budget_{uuid.uuid4().hex}", redis_url)
    web_2 = _settings(web_1.database_url.replace("db.internal:5432", "127.0.0.1:6432"), redis_url)
    staging = _settings(f"postgresql+psycopg://ameli@db:5432/budget_{uuid.uuid4().hex}", redis_url)

    async def counts(address: str) -> list[int]:
        counters = [address_counter(s.redis_url, s.deployment_key) for s in (web_1, web_2, staging)]
        return [await counter.add("socket", address) for counter in counters]

    # Counts start again each minute: a minute that turns meanwhile gets a fresh address.
    for attempt in range(3):
        minute = window_of(time.time())
        found = asyncio.run(counts(f"203.0.113.{attempt + 1}"))
        if window_of(time.time()) == minute:
            break
    assert found == [1, 2, 1]


def test_instances_claiming_event_counts_in_blocks_never_admit_more_than_the_budget() -> None:
    """Two processes of one deployment each claim 4 counts from Redis at once and hand them out:
    every rank is given once, Redis is asked once per block, and a budget of 10 admits 10."""
    redis_url = "redis://127.0.0.1:6379/0"
    require_redis(redis_url)
    deployment = _settings(f"postgresql+psycopg://ameli@db:5432/budget_{uuid.uuid4().hex}", redis_url)

    async def ranks(address: str) -> tuple[list[int], int]:
        counters = [address_counter(deployment.redis_url, deployment.deployment_key) for _ in range(2)]
        given = [await counters[index % 2].add("event", address, 4) for index in range(30)]
        key = f"ameli:budget:{deployment.deployment_key}:event:{address}:{window_of(time.time())}"
        return given, int(await counters[0]._redis().get(key))

    for attempt in range(3):
        minute = window_of(time.time())
        given, in_redis = asyncio.run(ranks(f"198.51.100.{attempt + 1}"))
        if window_of(time.time()) == minute:
            break
    assert len(set(given)) == 30 and min(given) >= 1
    assert in_redis == 2 * 4 * 4  # 15 counts each: 4 blocks of 4 each, one INCRBY per block
    assert max(given) <= in_redis
    assert sum(rank <= 10 for rank in given) == 10
