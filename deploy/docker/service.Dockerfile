# syntax=docker/dockerfile:1
# One image per NestJS service (gateway, generation, gallery), built from the repository root:
#   docker build -f deploy/docker/service.Dockerfile --build-arg APP=gateway -t pixel-prompt/gateway .
# The runtime stage holds only the webpack bundle and its production dependencies, runs as uid 1000
# (the chart's runAsUser) and writes nothing outside /tmp, so it runs with a read-only root filesystem.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true
# Dependencies first, so source edits do not invalidate the npm ci layer.
COPY package.json package-lock.json ./
# npm's download cache stays out of the layer (BuildKit and buildah keep it between builds).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
ARG APP
RUN test -n "${APP}" && node node_modules/nx/dist/bin/nx.js build "${APP}" --outputStyle=static

FROM ${NODE_IMAGE} AS deps
ARG APP
WORKDIR /out
# The build writes the bundle's own package.json and lockfile: exactly what main.js requires.
COPY --from=build /src/dist/apps/${APP}/package.json /src/dist/apps/${APP}/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG APP
ARG APP_VERSION=dev
ARG GIT_COMMIT=unknown
ENV NODE_ENV=production APP_VERSION=${APP_VERSION} GIT_COMMIT=${GIT_COMMIT}
WORKDIR /app
# Owned by root and not writable by the app user: the code cannot be changed at run time.
COPY --from=deps /out/node_modules ./node_modules
COPY --from=build /src/dist/apps/${APP}/ ./
USER 1000:1000
# node is PID 1 and the services drain on SIGTERM themselves (SHUTDOWN_TIMEOUT_MS).
CMD ["node", "--enable-source-maps", "main.js"]
