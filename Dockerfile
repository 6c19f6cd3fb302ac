# rapport as a long-running service. The install step is `make install-runtime`, the same
# target the test suite's path uses, so what is tested is what runs here: every dependency from
# requirements/runtime.lock, checked against its hashes, then the project alone.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VENV=/opt/rapport \
    PATH=/opt/rapport/bin:$PATH \
    RAPPORT_CONFIG=/config/config.toml \
    RAPPORT_DATA_DIR=/data

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml README.md Makefile ./
COPY requirements ./requirements
COPY bot ./bot
RUN make install-runtime VENV=/opt/rapport PYTHON=python3 \
    && rm -rf /root/.cache

RUN useradd --create-home --uid 10001 rapport \
    && mkdir -p /data /config \
    && chown rapport:rapport /data
USER rapport
WORKDIR /data
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["rapport", "health"]
ENTRYPOINT ["rapport"]
CMD ["run"]
