"""Problem types, one module each, grouped in topic packages that register them."""
