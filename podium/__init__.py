"""Podium: one results engine that speaks the wire protocols of five platforms."""

__version__ = "0.1.0"
