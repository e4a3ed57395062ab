"""The benchmark harness behind ``bench/run.py``, one module per job:

- ``common``: paths, the loopback host, ``BenchError`` and ``log``;
- ``options``: the command line;
- ``environment``: the production-like settings of everything started, ``manage.py``;
- ``database``: the bench databases — creating, migrating, seeding, reusing;
- ``server``: gunicorn and the collected static files;
- ``client``: browser-like HTTP sessions, signing in by form or token;
- ``measure``: sequential latency per scenario, the load run, percentiles;
- ``machine``: the machine — CPUs busy, load average, platform, git commit;
- ``inprocess``: the measurements run in a process of their own with the portal's settings
  (``bench/queries.py``, ``bench/transfer.py``);
- ``scale``: one scale from database to results;
- ``compare``: two servers on one database measured in turn (``--compare rls``,
  ``--compare-checkout``);
- ``report``: the Markdown table and the JSON results.

``bench/`` is on ``sys.path`` when ``bench/run.py`` runs (its directory), so the scenarios are
``scenarios`` and this package is ``harness``.
"""
