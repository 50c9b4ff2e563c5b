# syntax=docker/dockerfile:1
# One image for every Pollcast service; the command picks the service:
#   apps/instance-service/dist/main.js | apps/poller-service/dist/main.js | apps/normalizer/dist/main.js
#   | apps/dispatcher/dist/main.js   (the Helm chart and docker-compose.yml pass it as the container args).
# The runtime stage holds production node_modules and each workspace's package.json + dist only: no
# sources, tests, dev tools or npm. Node is PID 1 (exec form, no shell), so SIGTERM reaches bootService,
# which drains consumers and closes connections within SHUTDOWN_TIMEOUT_MS.

FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# Manifests first: the npm ci layer stays cached until a dependency changes.
COPY package.json package-lock.json ./
# patch-package applies them after npm ci installs (a fix to kafkajs: docs/reliability.md).
COPY patches patches
COPY apps/console/package.json apps/console/
COPY apps/dispatcher/package.json apps/dispatcher/
COPY apps/instance-service/package.json apps/instance-service/
COPY apps/normalizer/package.json apps/normalizer/
COPY apps/poller-service/package.json apps/poller-service/
COPY libs libs
COPY tools tools
RUN npm ci --no-audit --no-fund
COPY apps apps
COPY nx.json tsconfig.base.json tsconfig.json .swcrc ./
# --omit=optional: the Node 24 that npm ci pins for development (node-linux-*, ~190 MB) is the base
# image's here; the other optional production package is pg-cloudflare (Workers only).
RUN npx nx run-many -t build --outputStyle=static \
  && npm prune --omit=dev --omit=optional --no-audit --no-fund \
  && mkdir -p /out \
  && for workspace in apps/* libs/*; do \
       mkdir -p "/out/$workspace" && cp "$workspace/package.json" "/out/$workspace/"; \
       for part in dist bin; do [ ! -d "$workspace/$part" ] || cp -r "$workspace/$part" "/out/$workspace/"; done; \
     done

FROM node:24-bookworm-slim
# npm and corepack are not needed to run: fewer files, fewer CVEs to patch.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
  /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /out ./
# Numeric, so that Kubernetes' runAsNonRoot can verify it (the image's `node` user).
USER 1000:1000
ENTRYPOINT ["node", "--enable-source-maps"]
CMD ["apps/instance-service/dist/main.js"]
