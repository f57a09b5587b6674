import type { AnyPluginDefinition } from '@tirl/core';
import { imageTool } from './image-tool';

export { imageTool } from './image-tool';
export { area, checkBox, coverage, intersection, iou, toPixels, type Box, type BoxCheck } from './geometry/boxes';
export { apply, compose, IDENTITY, mappedRegion, type Affine } from './geometry/affine';
export { evidenceFor } from './evidence';
export { ImageSessions, loadSampleImage, type StoredImage } from './image-store';

export const plugins: readonly AnyPluginDefinition[] = [imageTool];
