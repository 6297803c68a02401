"""The adapters behind the domain's ports: the record in DynamoDB, the index in Momento."""
