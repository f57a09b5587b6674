import type { Sample } from '@tirl/core';

/** A generated task: training and held-out questions, plus what the recipe needs to solve it. */
export interface DemoTask {
  name: string;
  train: Sample[];
  heldOut: Sample[];
  /** Plugin entries for the tool(s) and tool format, added to every recipe. */
  toolPlugins: [string, Record<string, unknown>?][];
  /** The tool call a correct trace makes for a sample, and the answer it gives. */
  demonstration(sample: Sample): { tool: string; query: string; answer: string };
  /** Whether a tool call's argument names what the sample needs looked up. */
  isFaithfulCall(sample: Sample, args: unknown): boolean;
}
