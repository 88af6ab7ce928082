"""In-memory twins of the ports, for domain tests that need no database."""
