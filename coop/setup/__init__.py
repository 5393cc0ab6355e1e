"""Founding an organisation from a model constitution and the founders' answers."""
