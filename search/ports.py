"""What the search package needs of a register (``commsledger.core.register.Register`` is one):
its ledger, catalog, data keys, object store, subject registry and index. Domain code takes
this Protocol, never the app's class, so search imports nothing above it."""

from __future__ import annotations

from typing import Protocol

from ledger.catalog import Catalog
from ledger.log import Log
from ledger.store import ObjectStore
from privacy.registry import KeyStore, SubjectRegistry
from search.index import SearchIndex


class Settings(Protocol):
    @property
    def default_region(self) -> str:
        """The region national phone numbers are read in (identifiers of a query)."""
        ...


class Register(Protocol):
    """An open register, as the index projection, the index check and the query service use it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def log(self) -> Log: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def keys(self) -> KeyStore: ...

    @property
    def store(self) -> ObjectStore: ...

    @property
    def subjects(self) -> SubjectRegistry: ...

    @property
    def index(self) -> SearchIndex: ...
