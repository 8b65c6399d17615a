# syntax=docker/dockerfile:1
# The streaming consumers, one image per app from this one file (both apps are `consumerMain(kind)`, libs/consumer):
#
#   docker build -f deploy/docker/consumer.Dockerfile --build-arg APP=duration-consumer -t ridestream/duration-consumer .
#   docker build -f deploy/docker/consumer.Dockerfile --build-arg APP=tip-consumer -t ridestream/tip-consumer .
#
# (context = the repo root). duration-consumer: `rides` -> ride-duration model -> `ride-duration-predictions`, ops
# HTTP on 9101; tip-consumer: `rides` -> tip model -> `tip-predictions`, ops HTTP on 9102. Needs the app's model
# (models/<kind>/model.onnx + model.json, `npm run train` writes them) in the context; the build fails without it
# rather than shipping an image that cannot start.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: install the workspace, bundle the app with esbuild into dist/apps/${APP}
FROM ${NODE_IMAGE} AS build
ARG APP
# An unknown or missing APP fails here, before the long npm ci, with the list of what it may be.
RUN case "$APP" in duration-consumer|tip-consumer) ;; \
      *) echo "build arg APP must be duration-consumer or tip-consumer, got '$APP'" >&2; exit 1 ;; esac
WORKDIR /src
# onnxruntime-node's postinstall downloads CUDA add-ons from outside the npm registry; its CPU binaries are already
# in the package. npm 10 (in this image) ignores package.json's allowScripts, so deny install scripts here instead:
# every package that has one is denied there anyway (esbuild and nx find their binaries via optional deps).
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
# Identical up to here in every app's Dockerfile, so BuildKit reuses the npm ci layer across the images.
COPY tsconfig.base.json ./
COPY tools/build tools/build
COPY libs libs
COPY apps/${APP} apps/${APP}
RUN node tools/build/bundle.mjs ${APP}
# The app's model only (duration-consumer -> models/duration), staged so the runtime stage copies one folder.
COPY models models
RUN mkdir -p /out/models && cp -r "models/${APP%-consumer}" /out/models/

# ---- runtime: the bundle + only the external (native) packages listed in the generated package.json
FROM ${NODE_IMAGE} AS runtime
ARG APP
# Source maps ship beside the bundle, so stack traces name the TypeScript files and lines. glibc keeps what the
# scoring worker frees in the worker's own malloc arena unless told to trim: -38 MB peak RSS for the duration model
# (bench/micro/scorer-memory.ts, BENCHMARKS.md).
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    MALLOC_TRIM_THRESHOLD_=65536 \
    ONNXRUNTIME_NODE_INSTALL=skip \
    RIDESTREAM_APP=${APP}
WORKDIR /app
COPY --from=build /src/dist/apps/${APP}/package.json /src/dist/apps/${APP}/package-lock.json ./
# onnxruntime-node ships binaries for every OS and CPU (~290 MB); keep only this platform's (~45 MB on x64).
# One RUN, so the deleted files never land in a layer.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -type d \
      ! -path "*/linux/$(node -p process.arch)" -exec rm -rf {} +
COPY --from=build /src/dist/apps/${APP}/ ./
# MODEL_PATH defaults to models/<kind>/model.onnx relative to the working directory; model.json must sit beside it.
COPY --from=build /out/models models
# Owned by root and read-only for the app: nothing in the image is writable by the process.
USER node
EXPOSE 9101 9102
# Liveness only (/readyz is for routing); slim images have no curl, node 22 has fetch. The default ops port is the
# app's (libs/consumer: 9101 duration, 9102 tip); HTTP_PORT may override it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const port = process.env.HTTP_PORT || (process.env.RIDESTREAM_APP === 'tip-consumer' ? 9102 : 9101); fetch('http://127.0.0.1:' + port + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# runService drains on SIGTERM within SHUTDOWN_TIMEOUT_MS (default 25 s): give the container a longer grace
# period than that (compose: stop_grace_period; Kubernetes: terminationGracePeriodSeconds, default 30 s).
STOPSIGNAL SIGTERM
CMD ["node", "main.js"]
