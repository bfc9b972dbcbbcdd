# syntax=docker/dockerfile:1
#
# One image for the three Astromesh Cloud binaries. Node 24 runs their TypeScript directly (type
# stripping), so there is no build step: the image holds the sources and the production
# dependencies only, plus Studio's built bundle (studio/dist), which the Cloud API serves at
# /studio. Build that first: `npm run studio:build` (`npm run image` and `npm test` do it), so
# no dev dependency (Vite) enters the image.
#
#   astromeshd (the default)  the operator's runtime Deployment sets only `args`
#   Cloud API                 command: ["node", "api/main.ts"]       (configured by environment)
#   operator                  command: ["node", "operator/main.ts"]  (see operator/README.md)
#
# It runs as uid/gid 10001 (the runtime pods' runAsUser) and works with a read-only root
# filesystem: nothing writes outside /tmp, which the pods mount as an emptyDir.
#
# Base image: the Node version the project pins (`node` in package.json, locked in
# package-lock.json); test/harness/dockerfile.test.ts keeps the two in step. For production,
# pin by digest as well (node:24.21.0-bookworm-slim@sha256:…): a tag can be moved. Only the tag is
# given here because no registry was reachable to resolve the digest.

FROM node:24.21.0-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no test toolchain, and not the `node` package (a second Node binary).
# --omit=optional: not the embedded PostgreSQL binaries (60 MB per platform); they serve only
#   `npm start` without DATABASE_URL, and the chart always gives the API a DATABASE_URL.
# --ignore-scripts: no production dependency has an install script (the test checks the lock),
#   so none may run at build time.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM node:24.21.0-bookworm-slim
# No package manager in the final image: nothing at run time installs anything, and a
# compromised process should find no tool to fetch code with.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
  && groupadd --system --gid 10001 astromesh \
  && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin astromesh

# Anything that would write (a HOME, caches, the API's development state) goes under /tmp.
ENV NODE_ENV=production \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    XDG_CONFIG_HOME=/tmp/.config \
    XDG_DATA_HOME=/tmp/.local/share \
    XDG_STATE_HOME=/tmp/.local/state \
    ASTROMESH_STATE_DIR=/tmp/astromesh

WORKDIR /app
# Owned by root and not writable by the process that runs them.
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY crds ./crds
COPY runtime ./runtime
COPY operator ./operator
COPY api ./api
COPY studio/dist ./studio/dist

# Node's compile cache, prebuilt: each org's runtime (and the API and operator) starts from cached
# bytecode instead of parsing and compiling its ~900 modules (measured: module graph loaded in
# 0.48 s instead of 0.87 s, idle RSS 117-120 MiB instead of ~140). `--help` loads each binary's
# whole static module graph and exits. Node keys the cache by uid (a subdirectory per uid), so it
# is written as 10001, the user every pod runs as; then it is root's and read-only, like the rest
# of /app, which on a read-only root filesystem it would be anyway: Node reads it and silently
# skips writing entries for modules loaded later.
RUN cache="$(mktemp -d)" && chown 10001:10001 "$cache" \
  && for binary in runtime api operator; do \
       NODE_COMPILE_CACHE="$cache" setpriv --reuid=10001 --regid=10001 --clear-groups \
         node --max-old-space-size-percentage=50 --max-semi-space-size=8 "$binary/main.ts" --help >/dev/null || exit 1; \
     done \
  && ls "$cache" | grep -q -- '-10001$' \
  && mv "$cache" /app/.node-compile-cache \
  && chown -R root:root /app/.node-compile-cache \
  && chmod -R a-w,a+rX /app/.node-compile-cache
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache

LABEL org.opencontainers.image.title="astromesh-cloud" \
      org.opencontainers.image.description="Astromesh Cloud: astromeshd (default), the Cloud API and the operator" \
      org.opencontainers.image.licenses="Apache-2.0"

# Numeric, so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001

# Exec form and no CMD: the Deployment's args go straight to astromeshd, and Node, as PID 1,
# receives SIGTERM itself (all three binaries stop gracefully on it).
# Heap flags for astromeshd only (the API and the operator set their own command). The old
# space may take half the container's memory limit, whatever the chart sets (Node reads the
# cgroup's limit), which leaves the other half for code, native buffers and the Node binary's
# pages, so under load V8 collects harder instead of the pod being OOM-killed
# (test/runtime/memory-limit.test.ts runs astromeshd with these flags under the chart's limit).
# An 8 MiB semi-space: with 2 MiB, scavenges took a quarter of a run's CPU at concurrency 64
# (measured 1.07-1.15 ms of CPU a run against 0.86-0.90 with 8 or 16 MiB, on a loaded machine),
# and promoted short-lived run objects to the old space (RSS after 3,000 runs 290 MiB against
# 220-230). Its idle cost is gone once V8's memory reducer runs: 20 s after start, 133.9 MiB
# (2 MiB) against 135.3 (8 MiB), and 164 against 159 20 s after load (CPU: test/bench/runtime-cpu.ts,
# issue 13). 8 rather than 16: the same CPU, half the young generation's ceiling in the pod.
ENTRYPOINT ["node", "--max-old-space-size-percentage=50", "--max-semi-space-size=8", "runtime/main.ts"]
