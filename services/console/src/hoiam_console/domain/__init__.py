"""The console's rules, pure: accounts, sessions, throttling, who may see what, SLA badges and
how events become the read model. No I/O here; adapters live beside this package."""
