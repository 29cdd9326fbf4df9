# syntax=docker/dockerfile:1
# The Angular build served by a small Node static server (tools/stack/web-server.mjs, the one the
# local stack uses), built from the repository root:
#   docker build -f deploy/docker/web.Dockerfile -t pixel-prompt/web .
# The chart mounts config.json over /app/browser/config.json to point the app at the API.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node node_modules/nx/dist/bin/nx.js build web --outputStyle=static

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# No npm dependencies: the server uses Node built-ins only.
COPY --from=build /src/dist/apps/web/browser ./browser
COPY tools/stack/web-server.mjs ./web-server.mjs
COPY deploy/docker/web-main.mjs ./main.mjs
USER 1000:1000
EXPOSE 8080
CMD ["node", "main.mjs"]
