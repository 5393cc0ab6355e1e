"""Sign-in identities, passwords, server-side sessions, throttling and password reset."""
