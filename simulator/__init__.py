"""CloudTower REST API simulator: the API offline, held to the official OpenAPI spec.

Run it with ``python -m simulator`` from the repository root; see ``simulator/README.md``.
"""

API_VERSION = "4.8.0"
