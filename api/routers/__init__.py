"""The API's routes, one ``APIRouter`` per resource; ``api.app.create_app``
includes them in a fixed order (the order of the OpenAPI document, and of
path matching)."""
