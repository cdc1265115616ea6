"""Download handlers: the archiving HTTP/1.1 handler and its connection capture."""
