"""Web layer: JSON API, pages and templates."""
