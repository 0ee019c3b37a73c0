"""The shipped policies and their loaders: the retention schedule (``retention.yaml``,
``retention``) and what each API role may do (``roles.yaml``, ``roles``). Read by every
other package; imports only ``contract``."""
