# vsp-emulator: the Hitachi VSP Configuration Manager REST API emulator.
#   docker build -t vsp-emulator .
#   docker run -p 127.0.0.1:23450:23450 -p 127.0.0.1:23451:23451 -v vsp-data:/data vsp-emulator
# State (the SQLite database and the self-signed TLS certificate) lives in the /data volume: a container started again
# on the same volume resumes it (the ready line says "state=resumed"); add --fresh to start over, or --db :memory: to
# keep nothing (CI). Every flag has an environment twin: VSP_EMULATOR_FIXTURE, VSP_EMULATOR_TIMING, ...

# ---- build: install every dependency (better-sqlite3 compiles when no prebuilt binary fits), compile TypeScript,
# then drop the dev dependencies so the runtime stage can take node_modules as it is (same base image, same ABI).
# Node 24 (LTS): Node 20 reached its end of life on 2026-04-30; CI runs the suite on 20, 22 and 24.
FROM node:24-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY ui ./ui
COPY fixtures ./fixtures
# `npm ci` runs the install scripts (better-sqlite3's native build) and the `prepare` script (`npm run build`), which
# also builds the web view into dist/web (its page, and Preact and d3-hierarchy copied from node_modules).
RUN npm ci --no-audit --no-fund \
 && test -f dist/main.js && test -f dist/web/index.html && test -f dist/web/app/main.js \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: production dependencies, the compiled emulator (with the web view in dist/web) and its fixtures; runs as
# the unprivileged `node` user.
FROM node:24-slim
# The database and the TLS certificate go to the volume; flags given to `docker run` add to these (flags win).
# Outside a container the emulator listens on 127.0.0.1 only; in one it must listen on every interface, or a published
# port reaches nothing. The control plane and web view are then open to whoever reaches the published ports: publish
# them on the host's loopback (`-p 127.0.0.1:23450:23450`) or set VSP_EMULATOR_CONTROL_TOKEN (README "Security and limits").
ENV NODE_ENV=production VSP_EMULATOR_DB=/data/vsp-emulator.sqlite VSP_EMULATOR_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/fixtures ./fixtures
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
# 23450: HTTP, 23451: HTTPS (the Configuration Manager's ports; self-signed certificate unless --tls-cert/--tls-key).
EXPOSE 23450 23451
# Ready once the fixture is loaded (/emulator/v1/health). The check is the same binary reading the same configuration
# as the server: the environment (VSP_EMULATOR_*), and the flags given to `docker run` read from the server's command
# line (process 1), so `docker run vsp-emulator --http-port 8080` or `--host ::1` is checked where it listens. With
# --no-control-plane it asks the API's version endpoint instead (no auth needed).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "dist/main.js", "health", "--server-pid", "1"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--db", "/data/vsp-emulator.sqlite"]
