"""Public information pages: help, accessibility statement, health check."""
