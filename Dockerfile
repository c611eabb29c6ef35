# syntax=docker/dockerfile:1
# AetherLink CustomerOps API image.
#   docker build -t aether/customer-ops:dev .
# Stages: toolchain (compilers for better-sqlite3) -> build (all deps, nest build)
#         toolchain -> prod-deps (runtime dependencies only) -> runtime (no compilers, non-root)

FROM node:24-bookworm-slim AS toolchain
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

FROM toolchain AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
# tini is PID 1: it forwards SIGTERM to node, so graceful shutdown runs on `docker stop`.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production PORT=8000 HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The default SQLite path (./data) and the keys file folder must be writable/readable by the app user.
RUN mkdir -p /app/data /app/config && chown node:node /app/data /app/config
USER node
EXPOSE 8000
# Node 24 has fetch; slim images have no curl. ALLOWED_HOSTS, when set, must admit 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/customer-ops/apps/customer-ops/src/main.js"]
