import { z } from 'zod';

/** How to reach an MCP server: a process spoken to over stdio, or a streamable-HTTP endpoint. */
export const mcpServerSchema = z.discriminatedUnion('transport', [
  z
    .object({
      transport: z.literal('stdio'),
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      /** Added to the SDK's safe default environment (PATH, HOME, ...). */
      env: z.record(z.string(), z.string()).default({}),
      cwd: z.string().optional(),
    })
    .strict(),
  z
    .object({
      transport: z.literal('http'),
      url: z.url(),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .strict(),
]);

export type McpServerSpec = z.output<typeof mcpServerSchema>;

export function describeServer(spec: McpServerSpec): string {
  return spec.transport === 'stdio' ? `${spec.command} ${spec.args.join(' ')}`.trim() : spec.url;
}
