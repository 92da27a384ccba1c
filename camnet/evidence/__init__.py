"""camnet subpackage."""
