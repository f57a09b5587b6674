export { KIND_TEMPLATES, type KindTemplate } from './kind-templates';
export { camelCase, definitionFile, KIND_FOLDERS, SCAFFOLD_KINDS, testFile, type PluginNames } from './plugin-files';
export { HOST_VERSIONS, packageFiles, TOOL_VERSIONS, type PackageNames } from './package-files';
export { scaffoldPluginPackage, type ScaffoldOptions } from './scaffold';
