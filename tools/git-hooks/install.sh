#!/usr/bin/env bash
# `npm ci` / `npm install` run this (package.json `prepare`): point git at the project's hooks. Does nothing outside
# a git checkout (an npm pack, a Docker build context).
set -euo pipefail
if git rev-parse --git-dir >/dev/null 2>&1; then
  git config core.hooksPath tools/git-hooks
fi
