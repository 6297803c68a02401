"""Code shared by the three handlers: the middleware engine and middlewares, domain rules, the Momento store."""
