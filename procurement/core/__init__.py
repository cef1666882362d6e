"""Shared kernel: stdlib only (clock, money, domain errors)."""
