"""The console's settings (``COMMSLEDGER_CONSOLE_*``), read once by ``serve`` and passed in."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    """The web console (``COMMSLEDGER_CONSOLE_*``).

    ``enabled``: serve the console at ``/`` (the API at ``/v1`` is served either way).
    ``session_hours``: a session ends this long after sign-in, whatever happens (a working
    day by default). ``idle_minutes``: and sooner when the browser sends nothing for this long
    (a console left open on an unattended desk). ``saved_searches``: searches remembered per
    process (their free text and identifiers stay in memory only; see ``web.searches``).
    """

    model_config = SettingsConfigDict(env_prefix="COMMSLEDGER_CONSOLE_", extra="ignore")

    enabled: bool = True
    session_hours: float = Field(default=8.0, gt=0, le=24 * 7)
    idle_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    saved_searches: int = Field(default=10_000, ge=10)
