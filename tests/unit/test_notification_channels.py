"""Which web processes hear the worker's notification signal: one channel per deployment."""

from __future__ import annotations

from rxapp.services.notification_signal import account_channel, account_of_channel, channel_pattern
from rxapp.settings import Settings


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
