"""The API's wire schemas: what requests carry and responses answer, one module
per resource (``api.routers`` has the routes). Pydantic models, never the
engine's own types: a door adapts the engine's records to these."""
