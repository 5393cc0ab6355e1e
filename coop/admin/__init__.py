"""Pages for the people who run a coop instance (site admins)."""
