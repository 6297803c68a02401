"""`make dev`: the API on localhost with no Docker and no cloud account.

It reads template.yaml the way `sam local` does (SAM CLI's own providers), runs each function's handler unchanged in
Lambda-like worker processes, turns HTTP requests into API Gateway REST (v1 proxy) events, and puts momento-local and
moto (SSM, and DynamoDB with the template's tables) behind them. The same functions answer the Lambda Invoke API on a
second port, which `make invoke` and boto3's lambda client use. Never deployed: `sam build` packages `src/` only.
"""
