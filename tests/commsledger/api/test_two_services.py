"""Two services on one data dir (as two ``serve`` processes would be): both ingest and read at
once, each sees the other's records, and both logs verify."""

from __future__ import annotations

import threading

import httpx
from helpers import POLICY_ENTRIES, record
from live_server import Live, key_name, served

from commsledger.access.log import AccessLog
from commsledger.api import create_app
from commsledger.config import ServiceSettings, Settings
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from policies.roles import Role


def test_two_services_share_one_register(live: Live, file_settings: Settings) -> None:
    other = create_app(file_settings, ServiceSettings())
    with served(other) as other_url:
        urls = [live.url, other_url]
        answers: list[int] = []

        def post(url: str, start: int) -> None:
            headers = {"authorization": f"Bearer {live.keys[Role.INGEST]}"}
            with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
                for n in range(start, start + 20):
                    answers.append(client.post("/v1/communications", json=record(n)).status_code)

        threads = [threading.Thread(target=post, args=(url, 1 + 20 * i)) for i, url in enumerate(urls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers.count(201) == 40
        headers = {"authorization": f"Bearer {live.keys[Role.AUDITOR]}"}
        for url in urls:  # each reads what the other wrote
            with httpx.Client(base_url=url, headers=headers) as client:
                assert client.get("/v1/communications/crm-000001").status_code == 200
                assert client.get("/v1/communications/crm-000040").status_code == 200
    logged = live.accesses(key=key_name(Role.AUDITOR), action="records.read", wait_for=4)
    assert len(logged) == 4
    with Register(file_settings, writer=False, tolerant=True) as register:
        assert register.log.committed == POLICY_ENTRIES + 40
        assert verify_register(register, workers=0).ok
        access_log = AccessLog(file_settings, register.master, register.signer, writer=False)
        try:
            assert access_log.verify().ok
        finally:
            access_log.close()
