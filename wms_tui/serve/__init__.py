"""`wms serve`: the RF app for SSH and telnet terminals, one pseudo-terminal per connection.

server (listeners and shutdown), ssh and telnet (the protocols), sessions (pty, pump, limits,
idle timeout), zygote (pre-imported fork server and plain spawn), session (the child's entry
point), audit (authenticated connects, log-ins and their failures; summaries of the rest),
throttle (delays and lock-outs for wrong device passwords). Kept import-free so the session
child imports only what it needs.
"""
