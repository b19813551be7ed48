"""The Return Helper sandbox: a loopback HTTP server, its seed data and webhook delivery."""
