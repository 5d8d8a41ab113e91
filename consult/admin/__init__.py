"""Site administration: agencies and roles."""
