"""Compliance: progress, alerts and escalation, year-end checks, supplier credit, OCDS."""
