"""Unit tests for the production rules: the agents' password policy and the demo-only features."""

from __future__ import annotations

import pytest

from rxapp.features import demo_features_enabled
from rxapp.services.agents import MIN_PASSWORD_LENGTH, password_problem
from rxapp.services.demo import AGENT_PASSWORD, DEMO_CODE
from rxapp.settings import AppEnv, Settings

GOOD_PASSWORD = "Tq7-vlB2#pWz9e"


def test_a_long_unusual_password_is_accepted() -> None:
    assert password_problem(GOOD_PASSWORD, login="marie.curie", display_name="Marie Curie") is None


def test_a_password_under_twelve_characters_is_refused() -> None:
    problem = password_problem("Tq7-vlB2#pW", login="marie.curie")
    assert problem is not None and str(MIN_PASSWORD_LENGTH) in problem


def test_the_login_as_password_is_refused() -> None:
    problem = password_problem("Marie.Curie.Paris", login="marie.curie.paris")
    assert problem == "le mot de passe ne doit pas être l'identifiant"


@pytest.mark.parametrize("demo_password", [AGENT_PASSWORD, DEMO_CODE])
def test_the_demo_passwords_and_their_variants_are_refused(demo_password: str) -> None:
    assert (
        password_problem(demo_password, login="marie.curie") == "le mot de passe de démonstration est refusé"
    )
    assert password_problem(demo_password * 2, login="marie.curie") is not None
    assert password_problem(f"{demo_password}2027", login="marie.curie") is not None


@pytest.mark.parametrize(
    "common",
    ["password1234", "azertyuiop12", "qwertyuiop123", "123456789012", "iloveyou1234", "aaaaaaaaaaaa"],
)
def test_common_or_guessable_passwords_are_refused(common: str) -> None:
    assert (
        password_problem(common, login="marie.curie")
        == "ce mot de passe est trop courant ou trop facile à deviner"
    )


def test_a_password_built_on_the_agents_own_name_is_refused() -> None:
    problem = password_problem("mariecurie2026", login="marie.curie", display_name="Marie Curie")
    assert problem == "ce mot de passe est trop courant ou trop facile à deviner"


def test_demo_features_are_off_in_production_only() -> None:
    development = Settings.model_construct(app_env=AppEnv.DEVELOPMENT)
    production = Settings.model_construct(app_env=AppEnv.PRODUCTION)
    assert demo_features_enabled(development) is True
    assert demo_features_enabled(production) is False
