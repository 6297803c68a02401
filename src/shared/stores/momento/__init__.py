"""The index: each scope of a board as a Momento sorted set (the Index port)."""
