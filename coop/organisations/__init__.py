"""Organisations (the tenants) and the versions of their constitutions."""
