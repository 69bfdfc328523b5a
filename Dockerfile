# briefbot: slim image, non-root, database on a volume.
# A patch release, so a rebuild gets the same Python until this line is changed on purpose.
FROM python:3.12.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/briefbot.db

# uid 10001 owns /data and /backups: a named volume starts as a copy of the folder, so it
# is writable; a bind mount keeps its host owner (`chown 10001` it, as `briefbot run` says
# when it cannot write).
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin briefbot \
    && mkdir -p /data /backups \
    && chown briefbot:briefbot /data /backups

WORKDIR /app

# The dependencies in a layer of their own, from the lock file alone (scripts/lock writes
# it from pyproject.toml): the releases CI tested, each file checked against its hash, for
# amd64 and arm64 alike. Changing the code, or the version, does not install them again.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY brief ./brief
COPY storage ./storage
COPY templates ./templates
# Built by the locked setuptools, taking nothing from the index: all it needs is above.
RUN pip install --no-cache-dir --no-deps --no-build-isolation .

# By number, so a host or Kubernetes can tell the image does not run as root.
USER 10001:10001
VOLUME ["/data", "/backups"]
# Webhook mode (WEBHOOK_URL set) listens on HTTP_PORT, 8080 unless changed.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["briefbot", "health"]
ENTRYPOINT ["briefbot"]
CMD ["run"]
