#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { SCAFFOLD_KINDS } from './plugin-files';
import { scaffoldPluginPackage } from './scaffold';

const USAGE = `Creates a tirl plugin package: a working plugin of the kind, its kit-based test, a manifest, build and test.

  npm create @tirl/plugin -- PACKAGE_NAME --kind KIND --name NAME [--summary TEXT] [--dir DIR]
  npx @tirl/create-plugin PACKAGE_NAME --kind KIND --name NAME [--summary TEXT] [--dir DIR]

  KIND is one of: ${SCAFFOLD_KINDS.join(', ')}
  NAME is kebab-case; the plugin id is KIND/NAME.`;

export function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { kind: { type: 'string' }, name: { type: 'string' }, summary: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [packageName] = positionals;
  const missing = [!packageName && 'PACKAGE_NAME', !values.kind && '--kind', !values.name && '--name'].filter(Boolean);
  if (missing.length) {
    console.error(`missing ${missing.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  const { dir, files } = scaffoldPluginPackage({ packageName, kind: values.kind!, name: values.name!, summary: values.summary, dir: values.dir });
  const where = relative(process.cwd(), dir) || '.';
  console.log(`created ${packageName} in ${where}:\n${files.map((f) => `  ${f}`).join('\n')}\n\nnext:\n  cd ${where}\n  npm install && npm test && npm run build && npm pack`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
