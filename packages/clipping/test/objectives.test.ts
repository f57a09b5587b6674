import * as path from 'node:path';
import { runFixtures } from '@tirl/core/testing';
import { ppoClip } from '../src';
import { objectiveFixtureRunner } from './helpers';

const fixture = (name: string) => path.join(__dirname, 'fixtures', `${name}.json`);

runFixtures('objective/ppo-clip fixtures', fixture('ppo-clip'), objectiveFixtureRunner(ppoClip), 1e-5);
