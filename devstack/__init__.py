"""The local stack behind ``make run``: embedded PostgreSQL, moto's AWS, the API, the worker, the SPA.

It runs the very code Lambda runs (the Chalice app object and the converter's handlers)
and needs no Docker and no AWS account.
"""
