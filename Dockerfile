# syntax=docker/dockerfile:1
# zhengzhao in a container: `docker build -t zhengzhao .`, then see docs/docker.md.
# Two stages on Debian 12 (bookworm): the first has the compilers the SM2 addon needs, the second
# only what a node runs, as an unprivileged user.

FROM node:20-bookworm AS build
WORKDIR /app
# node-gyp builds the addon against the headers the image already has, instead of downloading them.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json tsconfig.json ./
COPY scripts ./scripts
COPY native ./native
COPY src ./src
COPY bin ./bin
# npm ci builds the native addon (install script) and dist/ (prepare); the dev tools then go.
RUN npm ci --no-audit --no-fund \
 && test -f native/build/Release/zz_sm2.node \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    ZHENGZHAO_DATA=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/native/build/Release/zz_sm2.node ./native/build/Release/zz_sm2.node
# The image's own unprivileged user (uid 1000) owns the data directory: keys, files and, without
# DATABASE_URL, the embedded PostgreSQL cluster (PostgreSQL refuses to run as root).
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Ready means migrated, the database reachable and (with --demo) the demo seeded: /readyz says so.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/zhengzhao.js"]
CMD ["serve"]
