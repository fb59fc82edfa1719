"""Core HTTP routes, each module an essential plugin contributing one blueprint."""
