"""People and roles: accounts and memberships kept in the portal (services, selectors, forms)."""
