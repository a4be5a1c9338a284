"""Fixtures of the module tests: each test module defines a module-scoped `synthesized` fixture
(a `tests.modules.harness.Synthesized`); these read its document and resources."""

from __future__ import annotations

import pytest

from tests.modules.harness import Synthesized


@pytest.fixture(scope="module")
def document(synthesized: Synthesized) -> dict:
    return synthesized.document


@pytest.fixture(scope="module")
def resources(synthesized: Synthesized) -> dict:
    return synthesized.resources
