"""commsledger.core."""
