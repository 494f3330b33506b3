"""REST API v1 (issue 6)."""

urlpatterns: list = []
