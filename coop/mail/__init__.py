"""Outgoing email: SMTP when configured, otherwise an outbox that site admins can read."""
