"""The middlewares every handler's chain is built from."""
