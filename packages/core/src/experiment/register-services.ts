import { instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { TirlError } from '../errors';
import { closestMatch } from '../plugin/did-you-mean';
import { parseOptions } from '../plugin/options';
import { installedPackages, type PackageSource } from '../packages/installed';
import { loadNamed } from '../packages/provided';
import type { ServiceDefinition, ServiceEntry } from './define-service';

/**
 * Registers the named package services after the host's, so each replaces the host's registration of its
 * token in this experiment's container only.
 */
export function registerServiceOverrides(
  container: DependencyContainer,
  entries: readonly ServiceEntry[],
  source: PackageSource = installedPackages(),
): void {
  if (!entries.length) return;
  const known = new Map(loadNamed<ServiceDefinition>(source, 'services').map((s) => [s.name, s]));
  for (const [name, raw] of entries) {
    const def = known.get(name);
    if (!def) {
      const guess = closestMatch(name, [...known.keys()]);
      throw new TirlError(
        `Unknown service "${name}". ${known.size ? `Known: ${[...known.keys()].sort().join(', ')}.` : 'No installed package lists services in its manifest.'}` +
          (guess ? ` Did you mean "${guess}"?` : ''),
        'unknown-plugin',
      );
    }
    const options = parseOptions(`service/${name}`, def.options, raw ?? {});
    container.register(def.token, { useFactory: instanceCachingFactory((c) => def.create(options, c)) });
  }
}
