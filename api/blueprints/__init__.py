"""One blueprint per capability: accounts, files, health."""
