'use strict';

/** The workspace-only export condition: it points at TypeScript sources, which are not published. */
const SOURCE_CONDITION = 'tirl-source';

/** A package.json as published: no source condition, no Nx config, no pack hooks. */
function publishedManifest(pkg) {
  const out = { ...pkg };
  delete out.nx;
  if (out.exports) out.exports = stripCondition(out.exports);
  if (out.scripts) {
    const { prepack: _prepack, postpack: _postpack, ...scripts } = out.scripts;
    out.scripts = scripts;
    if (!Object.keys(scripts).length) delete out.scripts;
  }
  return out;
}

function stripCondition(value) {
  if (Array.isArray(value)) return value.map(stripCondition);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) if (key !== SOURCE_CONDITION) out[key] = stripCondition(inner);
  return out;
}

module.exports = { publishedManifest, SOURCE_CONDITION };
