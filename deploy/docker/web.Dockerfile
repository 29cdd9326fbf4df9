# syntax=docker/dockerfile:1
# The web app: the Angular build served by Debian's nginx, built from the repository root:
#   docker build -f deploy/docker/web.Dockerfile -t pixel-prompt/web .
# nginx rather than a server of our own: a widely used static server, patched through Debian's
# security updates, with ETags and 304s, precompressed files and no code of ours on each request.
# It serves static files only (the Ingress routes the API to the gateway), listens on 8080, runs as
# uid 1000 with a read-only root filesystem (it writes only under /tmp), and the chart mounts the
# deployment's config.json over /app/browser/config.json. Behaviour: deploy/docker/nginx.conf.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

# Identical to the services' build stage up to `COPY . .`, so every image shares those layers.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true
COPY package.json package-lock.json ./
# npm's download cache stays out of the layer (BuildKit and buildah keep it between builds).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN node node_modules/nx/dist/bin/nx.js build web --outputStyle=static \
  && node deploy/docker/web-assets.mjs dist/apps/web/browser /src/inline-script-hashes.conf

FROM ${RUNTIME_IMAGE} AS runtime
# nginx reads nothing but its own configuration: the Debian defaults (sites, snippets) go.
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx libnginx-mod-http-brotli-static \
  && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/conf.d /etc/nginx/modules-enabled
COPY deploy/docker/nginx.conf deploy/docker/security-headers.conf /etc/nginx/
COPY --from=build /src/inline-script-hashes.conf /etc/nginx/
# Owned by root and not writable by the server: the files cannot be changed at run time. The
# notices of the npm packages bundled into the app sit beside them, unserved (and list them for SBOMs).
COPY --from=build /src/dist/apps/web/browser /app/browser
COPY --from=build /src/dist/apps/web/3rdpartylicenses.txt /app/
USER 1000:1000
EXPOSE 8080
# SIGQUIT: nginx finishes the requests in flight, then exits (SIGTERM would cut them off).
STOPSIGNAL SIGQUIT
CMD ["nginx"]
