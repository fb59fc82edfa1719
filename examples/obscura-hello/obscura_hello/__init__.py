"""obscura-hello: an example Obscura plugin."""
