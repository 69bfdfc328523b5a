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

# The speech engines of the voice notes (docs/operators/audio.md): espeak-ng for the languages
# it speaks and opusenc for OGG/Opus, from Debian; the base image's tag fixes the release,
# whose packages change only with security fixes (so their versions are not pinned here).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng opus-tools \
    && rm -rf /var/lib/apt/lists/*

# Piper and its English voice in a virtualenv of their own, from their lock file: Piper is
# GPL and the bot runs it as a separate program, importing nothing of it.
COPY requirements-piper.lock /opt/piper/
RUN python -m venv /opt/piper \
    && /opt/piper/bin/pip install --no-cache-dir --require-hashes -r /opt/piper/requirements-piper.lock
ENV PIPER=/opt/piper/bin/piper

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
