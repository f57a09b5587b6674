#!/usr/bin/env bash
# Installs the packages GRPO needs from packed tarballs into an empty project, as a user would, and runs
# the CLI there: --help, plugins, the install line, two training steps; then installs the third-party
# example and trains with it named in the experiment file. Prints the install footprint.
# Usage: tools/pack/install-smoke.sh [WORK_DIR]   (SKIP_BUILD=1 reuses the packages' dist folders)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
packages=(core policy trainer recipes advantage clipping rewards samplers rollout-tree)
if [ "${SKIP_BUILD:-}" != 1 ]; then
  (cd "$root" && npx nx run-many -t build -p "${packages[@]/#/@tirl/}" --parallel=2 --outputStyle=static)
fi
mkdir -p "$work/tgz" "$work/project"
for p in "${packages[@]}"; do (cd "$root/packages/$p" && npm pack --silent --pack-destination "$work/tgz" >/dev/null); done
(cd "$root/examples/third-party-plugin" && npm pack --silent --pack-destination "$work/tgz" >/dev/null)
cd "$work/project"
echo '{"name":"tirl-smoke","version":"1.0.0","private":true}' > package.json
start=$(date +%s)
npm install --prefer-offline --no-audit --no-fund "$work"/tgz/tirl-{core,policy,trainer,recipes,advantage,clipping,rewards,samplers,rollout-tree}-*.tgz
echo "footprint: $(du -sm node_modules | cut -f1) MB, $(ls node_modules | wc -l) top-level entries, $(( $(date +%s) - start )) s"
node -e "require('@tirl/core'); require('@tirl/trainer'); console.log('plain require: ok')"
npx tirl --help | head -1
npx tirl plugins | grep -c / | sed 's/^/plugins listed: /'
npx tirl recipes grpo --packages
echo '{"id":"q1","messages":[{"role":"user","content":"Say hi."}],"answer":"hi"}' > train.jsonl
cat > exp.json <<'JSON'
{ "model": { "tiny": { "hiddenSize": 16, "intermediateSize": 32, "numHiddenLayers": 1, "numAttentionHeads": 2, "numKeyValueHeads": 1, "seed": 0 } },
  "data": { "train": "train.jsonl" }, "runDir": "runs/grpo",
  "settings": { "steps": 2, "groupSize": 2, "promptsPerStep": 1, "decode": { "maxNewTokens": 4 }, "limits": { "maxTurns": 1, "maxTotalTokens": 96 } } }
JSON
npx tirl train --recipe grpo --config exp.json
npm install --prefer-offline --no-audit --no-fund "$work"/tgz/tirl-plugin-brevity-*.tgz
npx tirl plugins | grep 'reward/brevity'
node -e "const f=require('./exp.json'); f.plugins=[['reward/brevity',{target:8}]]; f.services=[['file-logger',{path:'brevity.log'}]]; f.runDir='runs/brevity'; require('fs').writeFileSync('exp-brevity.json', JSON.stringify(f))"
npx tirl train --recipe grpo --config exp-brevity.json
grep -q '"reward/brevity"' runs/brevity/metrics.jsonl && echo 'third-party reward trained: ok'
grep -q 'trained 2 steps' brevity.log && echo 'third-party logger service replaced the console for this experiment: ok'
