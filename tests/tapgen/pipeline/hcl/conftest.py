"""Helpers for the HCL bundle tests: Terraform offline, in parallel where it helps."""

from __future__ import annotations

from tests.terraform.conftest import COMBINATION_IDS, COMBINATIONS, in_parallel, init, terraform

__all__ = ["COMBINATIONS", "COMBINATION_IDS", "in_parallel", "init", "terraform"]
