"""commsledger.serve."""
