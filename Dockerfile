# rancher-haproxy: one image, two commands (as the original): `generate-maps` runs the generator sidekick,
# the default command `haproxy` runs the reloader, which runs HAProxy 2.6 (Debian bookworm) as its child.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY scripts/bundle.mjs ./scripts/bundle.mjs
# Each program is also bundled into one file (scripts/bundle.mjs: each start costs ≈ 0.1–0.25 s less CPU).
RUN npm ci --no-audit --no-fund \
 && npx tsc -b packages/generate-maps packages/reloader \
 && node scripts/bundle.mjs \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends haproxy tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /usr/local/etc/haproxy \
 && mkdir -p -m 0700 /var/run/rancher-haproxy
WORKDIR /opt/rancher-haproxy
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
COPY docker-entrypoint.sh /docker-entrypoint.sh

# The original image's variables, same names and defaults, plus two of ours (RELOADER_STATE_DIR,
# STATUS_BIND); docs/options.md lists every variable.
# HAPROXY_CONFIG and HAPROXY_SSL_CERT are left unset: the base config and the TLS PEM HAProxy loads live
# in the private state dir, not in the shared volume (set them only to name files you trust).
ENV ENABLE_SSL=false \
    HAPROXY_BACKEND_CONFIG=/usr/local/etc/haproxy/haproxy-backends.cfg \
    HAPROXY_DOMAIN_MAP=/usr/local/etc/haproxy/domain.map \
    RANCHER_API_HOST=rancher-metadata.rancher.internal \
    RANCHER_API_VERSION=2015-12-19 \
    RANCHER_LABEL=map-public-http \
    RELOADER_STATE_DIR=/var/run/rancher-haproxy \
    STATUS_BIND=0.0.0.0

# `docker stop` sends SIGKILL 10 s after SIGTERM. The reloader's graceful stop (SIGUSR1 to HAProxy, its
# hard stop after RELOADER_STOP_TIMEOUT, SIGKILL 3 s later) must end before that, or the container exits
# 137 with HAProxy killed: 6 s here. Give a longer grace to both together (`docker stop -t 40` or compose's
# `stop_grace_period: 40s` with RELOADER_STOP_TIMEOUT=30s).
ENV RELOADER_STOP_TIMEOUT=6s

VOLUME ["/usr/local/etc/haproxy"]
# 9101: generate-maps status listener, 9102: reloader status listener (see docs/observability.md)
EXPOSE 80 443 1936 9101 9102
ENTRYPOINT ["/usr/bin/tini", "--", "/docker-entrypoint.sh"]
CMD ["haproxy"]
