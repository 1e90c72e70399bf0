"""RF flows as small state machines: input a scan or key, output the next step to show."""
