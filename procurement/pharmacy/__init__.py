"""Retail pharmacies join VBP (进药店, RULES.md 12) and the public medicine finder."""
