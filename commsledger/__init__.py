"""commsledger: the register of every outbound communication, kept as evidence."""

__version__ = "0.1.0"
