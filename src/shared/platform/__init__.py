"""What every layer runs on: configuration, observability, the secret and the sources it is fetched from."""
