"""The HTTP shim: TikMatrix's local API (docs/spec/local-api.md) in the runner's trio program.

- :mod:`runner.http.envelope`: the ``{code, message, data}`` answers and their models;
- :mod:`runner.http.taskops`: what the task endpoints do (store, device workers, status files);
- :mod:`runner.http.app`: the FastAPI app, its error mapping and its OpenAPI document;
- :mod:`runner.http.security`: the optional API token;
- :mod:`runner.http.server`: listening with hypercorn's trio worker (:func:`serve_api`).
"""

from runner.http.server import Address, HttpBindError, check_bind, serve_api

__all__ = ["Address", "HttpBindError", "check_bind", "serve_api"]
