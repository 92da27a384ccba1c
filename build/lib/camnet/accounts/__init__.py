"""User administration: accounts, passwords, API tokens (the policy they feed lives in camnet.auth)."""
