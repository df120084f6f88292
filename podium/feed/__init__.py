"""Readers of the change log and the outbox: webhook delivery (and, later, live feeds)."""
