import { TirlError } from '@tirl/core';
import type Sharp from 'sharp';
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';

export interface ReportRenderers {
  sharp: typeof Sharp;
  vega: typeof Vega;
  vl: typeof VegaLite;
}

let cached: ReportRenderers | undefined;

/**
 * sharp, vega and vega-lite are optional peers: only reports need them, so they are loaded on the first
 * report, never at import, and a missing one is named with the install line that fixes it.
 */
export function reportRenderers(): ReportRenderers {
  if (cached) return cached;
  const missing: string[] = [];
  const load = <T>(name: string, get: () => T): T | undefined => {
    try {
      return get();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'MODULE_NOT_FOUND' && err.message.includes(`'${name}'`)) {
        missing.push(name);
        return undefined;
      }
      throw new TirlError(`Loading ${name} for the report failed: ${err.message.split('\n')[0]}`, 'missing-package');
    }
  };
  const sharp = load('sharp', () => require('sharp') as typeof Sharp);
  const vega = load('vega', () => require('vega') as typeof Vega);
  const vl = load('vega-lite', () => require('vega-lite') as typeof VegaLite);
  if (!sharp || !vega || !vl) {
    throw new TirlError(
      `Reports need ${missing.join(', ')}, optional peers of @tirl/trainer that are not installed. Run: npm install ${missing.join(' ')}`,
      'missing-package',
    );
  }
  cached = { sharp, vega, vl };
  return cached;
}
