"""Fixtures of the module tests: each test module defines a module-scoped `synthesized` fixture
(a `tests.modules.harness.Synthesized`); these read its document and resources, and every module
that defines one also runs the closing checks on it (`CLOSING_CHECKS`), written once here. A module
whose stack holds a stand-in that some rules would judge (an API without methods, a key without a
policy) names their prefixes in `RULES_NOT_UNDER_TEST`, with the reason."""

from __future__ import annotations

import pytest

from tests.modules import harness
from tests.modules.harness import Synthesized


@pytest.fixture(scope="module")
def document(synthesized: Synthesized) -> dict:
    return synthesized.document


@pytest.fixture(scope="module")
def resources(synthesized: Synthesized) -> dict:
    return synthesized.resources


def test_the_names_keep_the_contract(synthesized: Synthesized) -> None:
    harness.names_keep_the_contract(synthesized)


def test_the_security_rules_find_nothing(synthesized: Synthesized, request: pytest.FixtureRequest) -> None:
    harness.security_rules_find_nothing(synthesized, getattr(request.module, "RULES_NOT_UNDER_TEST", ()))


def test_terraform_validates_the_configuration(synthesized: Synthesized) -> None:
    harness.terraform_validates(synthesized)


CLOSING_CHECKS = (
    test_the_names_keep_the_contract,
    test_the_security_rules_find_nothing,
    test_terraform_validates_the_configuration,
)


class ModuleWithClosingChecks(pytest.Module):
    """A test module whose `synthesized` stack is also judged by the closing checks."""

    def collect(self):
        collected = list(super().collect())
        if "synthesized" not in vars(self.obj):
            return collected
        return collected + [
            pytest.Function.from_parent(self, name=check.__name__, callobj=check) for check in CLOSING_CHECKS
        ]


def pytest_pycollect_makemodule(module_path, parent):
    return ModuleWithClosingChecks.from_parent(parent, path=module_path)
