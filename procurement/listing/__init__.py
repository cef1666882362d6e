"""Listing (挂网) and price governance (RULES.md 13): products outside a tender listed for direct
online purchase at a listing price, the checks a listing request passes, the regulator's review
and the active listings everyone may read."""
