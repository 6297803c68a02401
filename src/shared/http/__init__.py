"""HTTP: the Middy-style chain and its middlewares, request parsing, JSON answers, ETags and the board page."""
