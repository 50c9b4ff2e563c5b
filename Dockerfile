# One image for every Pollcast service; docker-compose.yml picks the app with SERVICE.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY nx.json tsconfig.base.json tsconfig.json .swcrc ./
RUN npm ci --no-audit --no-fund && NX_DAEMON=false npx nx run-many -t build --outputStyle=static \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app
USER node
# SERVICE = instance-service | poller-service | normalizer | dispatcher
CMD ["sh", "-c", "exec node --enable-source-maps apps/${SERVICE}/dist/main.js"]
