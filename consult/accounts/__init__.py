"""Users, roles, memberships, API tokens; login, registration, logout."""
