# syntax=docker/dockerfile:1
# cdc-dynamodb-sink: multi-stage build on the official Node 24 image.
#   docker build -t cdc-dynamodb-sink:local .
#   docker run --read-only --tmpfs /tmp -e ... cdc-dynamodb-sink:local          # the service
#   docker run ... cdc-dynamodb-sink:local init-table                             # dev/demo table
# Pin NODE_IMAGE by digest in CI (node:24-trixie-slim@sha256:...) for reproducible builds.
ARG NODE_IMAGE=node:24-trixie-slim

# --- build: every dependency, then tsc -> dist/ ------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- prod-deps: production dependencies only, no install scripts -------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) -delete
# ^ Type declarations, source maps and docs are more than half of node_modules and never load.

# --- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# npm, npx and corepack are not needed at run time: fewer binaries, fewer scanner findings.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production
# V8's heap, sized for the default MAX_BUFFERED_RECORDS (docs/operations.md#memory): left to itself
# on a large host V8 grows the young generation to 128 MB and the old one lazily toward gigabytes,
# and RSS passed 450 MB against a live heap near 60 MB. Set NODE_OPTIONS to replace both.
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=128"
WORKDIR /app
# Root-owned and read-only to the service's user: the process cannot modify its own code.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# A numeric, non-root user with no home or shell entry, so Kubernetes' runAsNonRoot can verify it.
# The service writes nothing but /tmp: run it with a read-only root filesystem and a tmpfs on /tmp.
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "--enable-source-maps", "dist/app/main.js"]
CMD ["run"]
