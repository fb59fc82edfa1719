# Obscura: one image running `obscura serve` (web + workers + scheduler).
# Point DATABASE_URL / REDIS_URL at real services, or leave them unset to use the embedded ones
# (kept under /data).
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg nodejs \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt README.md CHANGELOG.md ./
COPY obscura_core ./obscura_core
COPY plugins_builtin ./plugins_builtin
COPY plugin_sdk ./plugin_sdk
COPY migrations ./migrations
RUN pip install --no-cache-dir -c constraints.txt .

ENV OBSCURA_DATA_DIR=/data \
    CHANGELOG_PATH=/app/CHANGELOG.md \
    HOST=0.0.0.0 \
    PORT=8008
VOLUME ["/data", "/media"]
EXPOSE 8008
CMD ["obscura", "serve"]
