"""Traceability codes (药品追溯码): codes on shipments, packages and their histories, the public lookup."""
