# briefbot: slim image, non-root, database on a volume.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/briefbot.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY brief ./brief
COPY storage ./storage
COPY templates ./templates
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data briefbot \
    && mkdir -p /data \
    && chown briefbot /data

USER briefbot
VOLUME ["/data"]
ENTRYPOINT ["briefbot"]
CMD ["run"]
