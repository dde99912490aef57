"""The post-deploy smoke gate: a plan created through the API is finished by the worker.

`gate_smoke.py` is the pytest gate (`pytest -m smoke --gates-env ENV`); the modules beside it are
its parts: inputs, authentication, the API client, database reads, polling, cleanup, diagnosis.
"""
