"""Obscura: a self-hosted private media library built as a pluggy plugin framework."""

__version__ = "0.1.0"
