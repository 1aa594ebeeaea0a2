"""The REST API under /api/: routes are added by the API views as they land."""

urlpatterns = []
