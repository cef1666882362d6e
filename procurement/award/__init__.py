"""Award: winner selection, agreed volumes, allocation optimizer, award runs and results."""
