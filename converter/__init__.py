"""The converter: the SQS-triggered Lambda that renders pages to PDF in headless Chromium."""
