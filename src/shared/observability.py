"""The one Logger, Tracer and Metrics of the service (Powertools), configured by POWERTOOLS_* variables."""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger, Metrics, Tracer

# botocore logs every response body at DEBUG, and SSM's GetParameter response body is the decrypted Momento key.
# Lambda's log level setting (or a root logger at DEBUG) would put it in CloudWatch: keep that one logger quieter.
logging.getLogger("botocore.parsers").setLevel(logging.INFO)

logger = Logger()
tracer = Tracer()
metrics = Metrics()
