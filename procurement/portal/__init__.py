"""Portal homes: each organization's to-do list, read from every area (downstream of all)."""
