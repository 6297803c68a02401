"""The record: every accepted score in one DynamoDB table (the Record port)."""
