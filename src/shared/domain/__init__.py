"""The domain: board rules, periods, scopes, the record/index protocol and the ports it speaks through. No I/O."""
