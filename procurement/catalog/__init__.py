"""Tenders, lots, products, rules snapshots and hospitals' demand reports (报量)."""
