"""Contracts: agreed volumes per hospital x lot x manufacturer x contract year."""
