import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageFiles } from './package-files';
import { camelCase, KIND_FOLDERS, SCAFFOLD_KINDS, testFile, definitionFile } from './plugin-files';

export interface ScaffoldOptions {
  /** npm name of the new package, e.g. `tirl-plugin-brevity` or `@me/tirl-brevity`. */
  packageName: string;
  /** Plugin kind, e.g. `reward` (one of {@link SCAFFOLD_KINDS}). */
  kind: string;
  /** Plugin name in kebab-case; the plugin id is `kind/name`. */
  name: string;
  /** One line on what the plugin does. */
  summary?: string;
  /** Folder to create; default: the package name without its scope, in the working folder. */
  dir?: string;
}

const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const PLUGIN_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Writes a plugin package (definition, kit test, manifest, build and test config, README); returns its folder and files. */
export function scaffoldPluginPackage(options: ScaffoldOptions): { dir: string; files: string[] } {
  const { packageName, kind, name } = options;
  if (!PACKAGE_NAME.test(packageName ?? '')) {
    throw new Error(`package name "${packageName}" is not a valid npm name: lower-case letters, digits, ".", "_", "-", optionally @scope/ (e.g. tirl-plugin-brevity)`);
  }
  if (!SCAFFOLD_KINDS.includes(kind)) throw new Error(`--kind "${kind}" is not a plugin kind; known: ${SCAFFOLD_KINDS.join(', ')}`);
  if (!PLUGIN_NAME.test(name ?? '')) throw new Error(`--name "${name}" must be kebab-case (lower-case words joined by "-"), e.g. length-bonus`);
  const dir = resolve(options.dir ?? packageName.replace(/^@[^/]+\//, ''));
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} exists and is not empty; choose another --dir`);
  const summary = (options.summary ?? `A ${kind} plugin`).trim().replace(/\.$/, '');
  const folder = KIND_FOLDERS[kind];
  const names = { packageName, kind, name, camel: camelCase(name), summary, folder };
  const files: Record<string, string> = {
    ...packageFiles(names),
    [`src/${folder}/${name}.ts`]: definitionFile(names),
    [`test/${name}.test.ts`]: testFile(names, `../src/${folder}/${name}`),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, files: Object.keys(files) };
}
