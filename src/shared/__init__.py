"""Code the handlers share, in layers: http -> domain <- stores, all over platform (see docs/architecture.md)."""
