"""The ``roster`` command line: a door outside the engine, like the API and the worker.

One module per command group (``data``, ``solve``, ``scenario``, ``store``,
``repair``, ``serve``), what they share in ``options``, and the app with its
one error handler in ``app``: input, database and file-system errors are one
line and exit code 1 or 2, never a traceback.
"""
