"""The `pagepress` command line: a thin client of the PagePress API, authenticated by an API key."""
