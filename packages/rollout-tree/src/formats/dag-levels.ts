/**
 * The topological levels of a DAG written as Divide-Then-Aggregate's data prompt returns it,
 * `"1->2,2->3,2->5"`: each level is one model turn whose calls are independent of each other. Nodes are
 * call indices; `nodes` adds calls that appear in no edge. Throws on a cycle or a malformed edge.
 */
export function dagLevels(dag: string, nodes: readonly number[] = []): number[][] {
  const edges: [number, number][] = [];
  for (const part of dag.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)\s*->\s*(\d+)$/.exec(part);
    if (!m) throw new Error(`dagLevels: "${part}" is not an edge like "1->2"`);
    edges.push([Number(m[1]), Number(m[2])]);
  }
  const all = new Set<number>([...nodes, ...edges.flat()]);
  const indegree = new Map([...all].map((n) => [n, 0]));
  for (const [, to] of edges) indegree.set(to, indegree.get(to)! + 1);
  const levels: number[][] = [];
  let frontier = [...all].filter((n) => indegree.get(n) === 0).sort((a, b) => a - b);
  let placed = 0;
  while (frontier.length) {
    levels.push(frontier);
    placed += frontier.length;
    const next: number[] = [];
    for (const n of frontier) {
      for (const [from, to] of edges) {
        if (from !== n) continue;
        indegree.set(to, indegree.get(to)! - 1);
        if (indegree.get(to) === 0) next.push(to);
      }
    }
    frontier = next.sort((a, b) => a - b);
  }
  if (placed !== all.size) throw new Error(`dagLevels: "${dag}" has a cycle`);
  return levels;
}
