"""openapi.yaml: kept equal to the template and the code's rules, and fuzzed against the running dev server."""
