#!/usr/bin/env bash
# Lints every commit message since the convention was introduced (the commit that added commitlint.config.mjs),
# so that history before it is left as it was and everything after it is checked, in CI and locally.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
base="$(git log --diff-filter=A --format=%H -- commitlint.config.mjs | tail -n 1)"
if [[ -z "$base" ]]; then
  echo "check-commits: commitlint.config.mjs is not committed yet; nothing to check"
  exit 0
fi
count="$(git rev-list --count "$base^..HEAD")"
echo "check-commits: $count commit message(s) since $(git log -1 --format=%h "$base")"
npx --no-install commitlint --from "$base^" --to HEAD
