"""Sealed bids: submission until the deadline, opening, normalization and ranking."""
