# The trainer as a container image: `docker build -t stepwise-trainer .`, then
# `docker run --rm -v "$PWD/examples:/data" stepwise-trainer train --config /data/iris/train.json --out /data/runs/iris`.
FROM node:20-slim
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml turbo.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
COPY bench/package.json ./bench/package.json
RUN npx -y pnpm@10.34.8 install --frozen-lockfile \
  && printf '#!/bin/sh\nexec node --import file:///app/node_modules/tsx/dist/loader.mjs /app/apps/trainer/src/cli.ts "$@"\n' > /usr/local/bin/stepwise \
  && chmod +x /usr/local/bin/stepwise
# The rendezvous port rank 0 listens on (MASTER_PORT); the ring itself uses ephemeral ports.
EXPOSE 29500
ENTRYPOINT ["stepwise"]
