"""Users, roles, tokens and the one authorization check."""
