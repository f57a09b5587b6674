import { brevity } from './brevity';
import { briefGrpo } from './brief-grpo';
import { fileLogger } from './file-logger';
import { greetingTask } from './greeting';

export { brevity, briefGrpo, fileLogger, greetingTask };

/** What this package provides; its package.json manifest (`tirl`) lists the same ids and names. */
export const plugins = [brevity];
export const methods = [briefGrpo];
export const tasks = [greetingTask];
export const services = [fileLogger];
