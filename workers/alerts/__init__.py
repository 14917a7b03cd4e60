"""Real-time alerts (issue 16): `cachewarden listen` reads CloudTrail API-call events from SQS,
re-reads what they touched and posts state transitions of findings to subscribed channels."""
