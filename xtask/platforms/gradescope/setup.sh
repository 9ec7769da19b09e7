#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image.
set -euo pipefail
source /autograder/source/config.sh
apt-get update
apt-get install -y --no-install-recommends build-essential ca-certificates curl git
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
source "$HOME/.cargo/env"
git clone "$COURSE_REPO" /autograder/kindling
cd /autograder/kindling
git checkout "$COURSE_REF"
# Build everything once (Burn included), so that grading an upload builds only it.
cargo build -p xtask
cargo xtask confinement || echo "Without the sandbox, set UNCONFINED=--unconfined in config.sh."
# Grade the reference solution once: it builds the reference and checks the setup.
cargo xtask gradescope "$STAGE" --submission "solutions/$STAGE" --results /tmp/setup-results.json \
    ${SEED:+--seed "$SEED"} $UNCONFINED
grep -q '"status": "failed"' /tmp/setup-results.json && echo "The reference solution does not pass: see /tmp/setup-results.json" && exit 1
echo "The autograder is ready."
