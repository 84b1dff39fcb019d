"""The REST API under /api/v1/: read by anyone, written by users with the model permission."""
