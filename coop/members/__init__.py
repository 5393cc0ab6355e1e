"""Members of an organisation and the roles they hold in it."""
