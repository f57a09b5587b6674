import 'reflect-metadata';
export { describePlugin, testPluginContext, type ContractOptions } from './describe-plugin';
export { loadFixtures, runFixtures, type FixtureCase } from './fixtures';
export { expectNoLeaks, leakGuard } from './leaks';
export { expectClose, numericDifferences, toPlain } from './numbers';
export { makeTrajectory, type TrajectorySpec } from './trajectories';
export { ByteTokenizer } from '../tokenizer/byte';
export { queueScript, replayScript, ScriptedPolicy, type Emission, type Script, type ScriptCall, type ScriptedPolicyOptions, type ScriptReply } from './scripted-policy';
export * from './kits';
