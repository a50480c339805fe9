# A small image of the anycast-replay CLI for the scale-out recipes
# (docs/scale-out.md): the Kubernetes Indexed Job runs it, and so can any host
# with a container runtime.
#
#   docker build -t anycast-replay:0.1.0 .
#   docker run --rm -v "$PWD:/data" anycast-replay:0.1.0 batch --list captures.txt -o all.csv
#
# Two stages: the first installs every dependency and compiles src/ into dist/;
# the second holds only node, the runtime dependencies, dist/ and bin/.

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /opt/anycast-replay
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY LICENSE README.md ./
RUN ln -s /opt/anycast-replay/bin/anycast-replay.js /usr/local/bin/anycast-replay
# The unprivileged user of the node images (uid 1000); mounted data must be
# writable by it (the Kubernetes manifests set fsGroup 1000).
USER node
WORKDIR /data
ENTRYPOINT ["anycast-replay"]
CMD ["--help"]
