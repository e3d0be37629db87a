# Builds the chanjiao service; docker-compose.yml runs it beside PostgreSQL.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin chanjiao

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/chanjiao --create-home chanjiao
COPY --from=build /src/target/release/chanjiao /usr/local/bin/chanjiao
USER chanjiao
WORKDIR /var/lib/chanjiao
ENV CHANJIAO_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["chanjiao"]
CMD ["serve"]
