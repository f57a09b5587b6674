export { parseQueueUrl, checkRunId, runKeys, type QueueAddress } from './url';
export { connectRedis, type Log } from './connection';
export { PROTOCOL, jobMessageSchema, resultMessageSchema, type JobMessage, type ResultMessage } from './messages';
export { redisWeightStore, dirWeightStore, encodeWeights, applyWeights, weightStoreSpec, type WeightStore, type PublishMode } from './weights';
export { s3WeightStore, parseS3Url, type S3StoreOptions } from './s3/s3-weight-store';
export { signS3Request, type S3Credentials } from './s3/sigv4';
export { type RunManifest } from './manifest';
export { QueueLearner, type LearnerOptions, type LearnerJob } from './learner';
export { RolloutWorker, type WorkerOptions, type WorkerStats } from './worker';
export { VersionGate } from './version-gate';
export { queueStatus, formatStatus, type RunStatus } from './status';
export { findRedisServer, startRedisServer, type RedisServer } from './redis-server';
export { connectSwarm, type ConnectSwarmOptions } from './swarm/connect';
export { SwarmSource, shareable, type SwarmSourceOptions, type SwarmJob } from './swarm/swarm-source';
export { MemorySwarm, PendingRollouts, type RolloutSharing, type SharingStats } from './swarm/sharing';
export { redisSharing, swarmStreamKey, type RedisSharingOptions } from './swarm/redis-sharing';
export { encodeSharedRollout, decodeSharedRollout, SWARM_PROTOCOL, type SharedRollout } from './swarm/shared-rollout';
export { replayPolicy } from './swarm/replay-policy';

/** Plugins this package provides: none (it moves rollouts, it defines no method). */
export const plugins = [];
