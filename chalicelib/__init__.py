"""PagePress's shared core: configuration, domain, ports, adapters and wiring.

Imports neither chalice nor playwright, so the API and the converter both build on it.
"""
