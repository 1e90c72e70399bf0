"""`wms api`: the HTTP API for ERPs, one more front door on the site `bootstrap.wire` builds.

The package, by part: `app` (the application and its limits), `clients` (API clients, their
keys and scopes; no web framework, so the CLI uses it as it is), `auth` (bearer keys, scopes,
rate limits), `writes` (exactly once per Idempotency-Key, in one transaction, audited),
`problems` (RFC 9457 errors), `models` (the documents), `imports` (documents through the
file imports), and one router per resource: `orders`, `masterdata`, `reads`, `feed`.
See docs/api.md.
"""
