"""Embedded default services for a one-command start."""
