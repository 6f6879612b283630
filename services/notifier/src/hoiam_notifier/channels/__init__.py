"""The notifier's channels: one `Sender` port, its adapters per provider, and what errors mean.

- `port`: `Outgoing`, `SendError`, the `Sender` protocol
- `errors`: provider answers classified (retry, fallback, fail, refresh), backoff, Retry-After
- `smtp`: email (aiosmtplib), threaded, with a deterministic Message-ID
- `zalo`: Zalo OA consultation messages, ZNS template messages, access-token refresh
- `meta`: Messenger Send API and comment replies (Graph API)
- `sms`: a generic HTTP SMS gateway
- `provider_http`: what the HTTP adapters share (timeouts, status codes, JSON answers)
"""
