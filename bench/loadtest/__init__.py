"""``make loadtest``: simulated users against the local stack while its parts fail, then proof that no job was lost.

One job per module: ``stack`` signals the stack that ``bench/local_stack.py`` runs (``python -m devstack``),
``pages`` serves the pages to convert on loopback, ``users`` plays the people, ``faults``
breaks the browser, the database and the AWS endpoint on a schedule, ``verdict`` checks the
outcome, ``report`` writes bench/reliability.md, and ``run`` ties them together.
"""
