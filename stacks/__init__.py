"""Stacks compose modules and own the naming contract, variables, outputs and providers."""
