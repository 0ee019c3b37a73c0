# commsledger service image (used by docker-compose.yml). The data dir (keys, catalog, index)
# is a volume at /data; the ledger itself lives in the object store the settings name.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    COMMSLEDGER_DATA=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY contract contract
COPY ledger ledger
COPY privacy privacy
COPY search search
COPY retention retention
COPY exports exports
COPY policies policies
COPY commsledger commsledger
RUN pip install . && useradd --system --uid 10001 --home-dir /data commsledger \
    && mkdir -p /data && chown commsledger /data
USER commsledger
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=5 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
CMD ["commsledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
