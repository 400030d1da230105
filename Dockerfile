# Coffer server image.
#   docker build -t coffer .
#   docker run -d --name coffer -p 7373:7373 -v coffer-data:/data coffer
# Build stage: installs the workspace, builds it and packs the published packages (npm pack), with an
# app that depends on those tarballs alone. Install stage: installs that app as a user would.
# Runtime stage: Node, the installed packages and nothing else, as the unprivileged `node` user.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 downloads a prebuilt binary; these build it from source where none exists.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN npm ci && node scripts/pack-app.mjs /out

FROM node:${NODE_VERSION}-bookworm-slim AS install
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out /out
WORKDIR /out/app
RUN npm ci --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
COPY --from=install /out/app/node_modules /opt/coffer/node_modules
RUN mkdir -p /data && chown node:node /data
# Listen on every interface of the container (the default, 127.0.0.1, is unreachable from outside it).
# First start without COFFER_ADMIN_ACCESS_KEY_ID / COFFER_ADMIN_SECRET_ACCESS_KEY: the generated admin
# key is printed once, in `docker logs`. The master key is kept in /data/master.keys unless
# COFFER_MASTER_KEY is given.
ENV NODE_ENV=production \
    COFFER_HOME=/data \
    COFFER_HOST=0.0.0.0 \
    COFFER_PORT=7373 \
    PATH=/opt/coffer/node_modules/.bin:$PATH
USER node
VOLUME ["/data"]
EXPOSE 7373
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.COFFER_PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/opt/coffer/node_modules/.bin/coffer"]
CMD ["serve"]
