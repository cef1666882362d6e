"""``procurement demo``: a seeded province-scale world and one contract year, walked through the
services of every area (world.py, walk.py, year.py, oversight.py), summarized (summary.py)."""
