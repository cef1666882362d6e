"""Traceability codes (药品追溯码): codes on shipments, packages, histories, the public lookup."""
