# syntax=docker/dockerfile:1
# Builds the chanjiao service; docker-compose.yml runs it beside PostgreSQL.
# .dockerignore keeps target/, local databases, .env and node_modules out of
# the build context.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The registry and target/ are BuildKit cache mounts: after a source change
# only chanjiao and migration compile again, not every dependency. The same
# command as CI's release build (tools/replicas/run.sh).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin chanjiao \
    && cp target/release/chanjiao /usr/local/bin/chanjiao

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/chanjiao --create-home chanjiao
COPY --from=build /usr/local/bin/chanjiao /usr/local/bin/chanjiao
USER chanjiao
WORKDIR /var/lib/chanjiao
ENV CHANJIAO_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["chanjiao"]
CMD ["serve"]
