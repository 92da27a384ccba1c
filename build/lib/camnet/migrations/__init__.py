"""SQL migrations, applied in number order."""
