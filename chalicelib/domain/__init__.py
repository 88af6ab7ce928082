"""The domain: models, errors, ports and the services that use them. No I/O of its own."""
