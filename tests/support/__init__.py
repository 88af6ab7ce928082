"""Shared test helpers: loopback page servers, polling with a deadline, PDF text."""
