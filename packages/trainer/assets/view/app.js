// tirl view: metrics of one or more runs (live), and the trajectory log of each step.
// Plain browser JavaScript with no dependencies; every text goes through textContent.
'use strict';

const COLOURS = ['#1d4ed8', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f'];
const DEFAULT_CHARTS = [
  'reward/mean',
  'loss/total',
  'rollout/tool_calls_per_trajectory',
  'rollout/invalid_tool_calls_per_trajectory',
  'advantage/std',
  'update/grad_norm',
  'rollout/policy_tokens',
  'time/step_s',
];

const state = {
  runs: [],
  metrics: [], // per run: rows
  next: [], // per run: next metrics line
  keys: new Set(),
  charts: [],
  pollMs: 2000,
  steps: [], // per run: step summaries
  current: null, // { run, step, record }
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElementNS(tag === 'svg' || SVG_TAGS.has(tag) ? 'http://www.w3.org/2000/svg' : 'http://www.w3.org/1999/xhtml', tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'className') node.setAttribute('class', v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const SVG_TAGS = new Set(['g', 'path', 'line', 'text', 'rect', 'circle', 'title', 'polyline']);

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

// ---------------------------------------------------------------- metrics

function runColour(i) {
  return COLOURS[i % COLOURS.length];
}

function renderRuns() {
  const box = $('runs');
  box.replaceChildren(
    ...state.runs.map((r, i) =>
      el('span', { className: 'run-chip', 'data-run': i, title: r.dir }, el('span', { className: 'swatch', 'data-colour': runColour(i) }), `${r.name}${r.recipe ? ` (${r.recipe})` : ''}`),
    ),
  );
  for (const s of box.querySelectorAll('.swatch')) s.style.background = s.getAttribute('data-colour');
  const select = $('traj-run');
  select.replaceChildren(...state.runs.map((r, i) => el('option', { value: i, text: r.name })));
}

async function pollMetrics() {
  let grew = false;
  for (let i = 0; i < state.runs.length; i++) {
    const { rows, next } = await getJson(`/api/runs/${i}/metrics?from=${state.next[i]}`);
    if (next < state.next[i]) state.metrics[i] = []; // the run was resumed and its file rewritten
    if (rows.length) {
      grew = true;
      state.metrics[i].push(...rows);
      for (const row of rows) for (const [k, v] of Object.entries(row)) if (typeof v === 'number' && k !== 'step') state.keys.add(k);
    }
    state.next[i] = next;
  }
  if (grew || !state.charts.length) {
    if (!state.charts.length) state.charts = DEFAULT_CHARTS.filter((k) => state.keys.has(k));
    if (!state.charts.length) state.charts = [...state.keys].slice(0, 4);
    renderKeySelect();
    renderCharts();
  }
  $('status').textContent = state.runs.map((r, i) => `${r.name}: ${state.metrics[i].length} steps`).join(' · ');
}

function renderKeySelect() {
  const select = $('add-chart');
  const keys = [...state.keys].sort().filter((k) => !state.charts.includes(k));
  select.replaceChildren(el('option', { value: '', text: 'metric…' }), ...keys.map((k) => el('option', { value: k, text: k })));
}

function smooth(values, alpha) {
  if (!alpha) return values;
  let last = null;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last === null ? v : alpha * last + (1 - alpha) * v;
    return last;
  });
}

function renderCharts() {
  const alpha = Number($('smoothing').value);
  $('charts').replaceChildren(...state.charts.map((key) => chart(key, alpha)));
}

function chart(key, alpha) {
  const W = 380;
  const H = 200;
  const pad = { l: 46, r: 10, t: 8, b: 24 };
  const series = state.metrics.map((rows, i) => {
    const points = rows.map((r, j) => [typeof r.step === 'number' ? r.step : j, r[key]]).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
    const ys = smooth(points.map((p) => p[1]), alpha);
    return { run: i, points: points.map((p, j) => [p[0], ys[j]]) };
  });
  const all = series.flatMap((s) => s.points);
  const box = el('div', { className: 'chart', 'data-key': key });
  const remove = el('button', { title: 'remove chart', text: '×', onclick: () => ((state.charts = state.charts.filter((k) => k !== key)), renderKeySelect(), renderCharts()) });
  box.append(el('h3', {}, el('span', { text: key }), remove));
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, 'data-key': key, 'data-points': all.length, role: 'img', 'aria-label': key });
  if (!all.length) {
    svg.append(el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', text: 'no finite values yet' }));
    box.append(svg);
    return box;
  }
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (x0 === x1) x1 = x0 + 1;
  if (y0 === y1) [y0, y1] = [y0 - (Math.abs(y0) || 1) * 0.5, y1 + (Math.abs(y1) || 1) * 0.5];
  const sx = (x) => pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const sy = (y) => H - pad.b - ((y - y0) / (y1 - y0)) * (H - pad.t - pad.b);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    svg.append(el('line', { className: 'grid', x1: pad.l, x2: W - pad.r, y1: sy(y), y2: sy(y) }));
    svg.append(el('text', { x: pad.l - 4, y: sy(y) + 3, 'text-anchor': 'end', text: fmt(y) }));
  }
  // Steps are integers: so are the tick labels.
  for (const x of [...new Set([x0, Math.round((x0 + x1) / 2), x1])]) svg.append(el('text', { x: sx(x), y: H - 8, 'text-anchor': 'middle', text: fmt(x) }));
  svg.append(el('line', { className: 'axis', x1: pad.l, x2: pad.l, y1: pad.t, y2: H - pad.b }));
  svg.append(el('line', { className: 'axis', x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b }));
  for (const s of series) {
    if (!s.points.length) continue;
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
    const path = el('path', { className: 'series', d, 'data-run': s.run, stroke: runColour(s.run) });
    path.append(el('title', { text: `${state.runs[s.run].name}: ${s.points.length} points, last ${fmt(s.points.at(-1)[1])}` }));
    svg.append(path);
    if (s.points.length === 1) svg.append(el('circle', { cx: sx(s.points[0][0]), cy: sy(s.points[0][1]), r: 2.5, fill: runColour(s.run) }));
  }
  box.append(svg);
  box.append(
    el(
      'div',
      { className: 'legend' },
      series.filter((s) => s.points.length).map((s) => el('span', { className: 'run-chip' }, `${state.runs[s.run].name}: last ${fmt(s.points.at(-1)[1])}  `)),
    ),
  );
  return box;
}

// ---------------------------------------------------------------- trajectories

async function pollSteps() {
  for (let i = 0; i < state.runs.length; i++) state.steps[i] = await getJson(`/api/runs/${i}/steps`);
  const run = Number($('traj-run').value || 0);
  const select = $('traj-step');
  const had = select.options.length;
  const steps = state.steps[run] || [];
  if (steps.length !== had) {
    const keep = select.value;
    select.replaceChildren(
      ...steps.map((s) =>
        el('option', { value: s.step, text: `step ${s.step} · ${s.trees} trees · reward ${fmt(s.meanReward)} · ${s.toolCalls} calls${s.failedToolCalls ? ` (${s.failedToolCalls} failed)` : ''}` }),
      ),
    );
    if (keep && steps.some((s) => String(s.step) === keep)) select.value = keep;
    else if (steps.length) select.value = String(steps.at(-1).step);
    if (!had && steps.length) await loadStep();
  }
  if (!steps.length) $('step-view').replaceChildren(el('div', { className: 'empty', text: 'No trajectory log yet (trajectories.jsonl is written after each step).' }));
}

async function loadStep() {
  const run = Number($('traj-run').value || 0);
  const step = $('traj-step').value;
  if (step === '') return;
  const record = await getJson(`/api/runs/${run}/steps/${step}`);
  state.current = { run, step: Number(step), record };
  renderStep();
}

function filters() {
  const num = (id) => ($(id).value === '' ? null : Number($(id).value));
  return { rMin: num('filter-reward-min'), rMax: num('filter-reward-max'), lMin: num('filter-length-min'), lMax: num('filter-length-max'), failed: $('filter-failed').checked };
}

/** A root passes when its reward, its length and (if asked) a failed tool call in it or its sub-agents match. */
function passes(root, descendants, f) {
  const r = root.reward;
  if (f.rMin !== null && !(r >= f.rMin)) return false;
  if (f.rMax !== null && !(r <= f.rMax)) return false;
  if (f.lMin !== null && !(root.length >= f.lMin)) return false;
  if (f.lMax !== null && !(root.length <= f.lMax)) return false;
  if (f.failed && ![root, ...descendants].some((t) => t.toolCalls.some((c) => !c.ok))) return false;
  return true;
}

function renderStep() {
  const { record } = state.current;
  const f = filters();
  const view = $('step-view');
  const mode = $('colour-by').value;
  const scale = colourScale(record, mode);
  renderLegend(mode, scale);
  let shown = 0;
  let total = 0;
  const trees = [];
  for (const tree of record.trees) {
    const byId = new Map(tree.trajectories.map((t) => [t.id, t]));
    const childrenOf = new Map();
    for (const t of tree.trajectories) if (t.parentId !== undefined) childrenOf.set(t.parentId, [...(childrenOf.get(t.parentId) || []), t]);
    const descendants = (t) => (childrenOf.get(t.id) || []).flatMap((c) => [c, ...descendants(c)]);
    const roots = tree.trajectories.filter((t) => t.parentId === undefined || !byId.has(t.parentId));
    total += roots.length;
    const kept = roots.filter((t) => passes(t, descendants(t), f));
    shown += kept.length;
    if (!kept.length) continue;
    trees.push(treeView(tree, kept, childrenOf, scale, mode));
  }
  $('filter-count').textContent = `showing ${shown} of ${total} trajectories (step ${record.step}: ${record.trees.length} of ${record.treesInStep} trees logged)`;
  view.replaceChildren(...(trees.length ? trees : [el('div', { className: 'empty', text: 'No trajectory matches the filters.' })]));
}

function treeView(tree, roots, childrenOf, scale, mode) {
  const rewards = roots.map((t) => t.reward).filter((r) => typeof r === 'number');
  const mean = rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : null;
  const workers = tree.trajectories.filter((t) => t.parentId !== undefined).length;
  const branching = tree.nodes.filter((n) => n.parentId !== undefined).length;
  const summary = el(
    'summary',
    {},
    `${tree.sampleId} `,
    el('span', { className: 'badge', text: `${roots.length} rollouts` }),
    workers ? el('span', { className: 'badge role', text: `${workers} sub-agent rollouts` }) : null,
    branching ? el('span', { className: 'badge', text: `${branching} branch points` }) : null,
    el('span', { className: 'badge', text: `mean reward ${fmt(mean)}` }),
  );
  const box = el('details', { className: 'tree', 'data-tree': tree.id }, summary);
  const render = (t) => trajectoryView(t, childrenOf, scale, mode);
  if (branching) box.append(nodeTree(tree, roots, render));
  else box.append(...roots.map(render));
  return box;
}

/** Rollout-tree structure (ARPO, Tree-GRPO, PORTool): nested branch nodes, each leaf under the last node of its path. */
function nodeTree(tree, roots, render) {
  const childNodes = new Map();
  for (const n of tree.nodes) childNodes.set(n.parentId ?? '', [...(childNodes.get(n.parentId ?? '') || []), n]);
  const leavesAt = new Map();
  for (const t of roots) {
    const last = (t.treePath || []).at(-1) ?? '';
    leavesAt.set(last, [...(leavesAt.get(last) || []), t]);
  }
  const nodeView = (n) => {
    const kids = childNodes.get(n.id) || [];
    const leaves = leavesAt.get(n.id) || [];
    const box = el(
      'details',
      { className: 'node', 'data-node': n.id },
      el('summary', {}, `node ${n.id} · turn ${n.turn} · token ${n.tokenOffset}${n.reason ? ` · ${n.reason}` : ''} `, el('span', { className: 'badge', text: `${countLeaves(n.id)} leaves` })),
    );
    box.append(...kids.map(nodeView), ...leaves.map(render));
    return box;
  };
  const countLeaves = (id) => (leavesAt.get(id) || []).length + (childNodes.get(id) || []).reduce((a, k) => a + countLeaves(k.id), 0);
  const top = childNodes.get('') || [];
  return el('div', {}, ...top.map(nodeView), ...(leavesAt.get('') || []).map(render));
}

function trajectoryView(t, childrenOf, scale, mode) {
  const failed = t.toolCalls.filter((c) => !c.ok).length;
  const child = t.parentId !== undefined;
  const summary = el(
    'summary',
    {},
    el('span', { className: 'badge role', text: t.role }),
    ` ${t.id} `,
    el('span', { className: 'badge', text: `reward ${fmt(t.reward)}` }),
    el('span', { className: 'badge', text: `${t.length} tokens` }),
    t.toolCalls.length ? el('span', { className: 'badge', text: `${t.toolCalls.length} tool calls` }) : null,
    failed ? el('span', { className: 'badge fail', text: `${failed} failed` }) : null,
    t.finishReason ? el('span', { className: 'badge', text: t.finishReason }) : null,
    t.trained ? null : el('span', { className: 'badge', text: 'not trained' }),
    child ? el('span', { className: 'badge role', text: `spawned at turn ${t.spawnTurn}` }) : null,
  );
  const box = el('details', { className: `traj${child ? ' child' : ''}`, 'data-trajectory': t.id }, summary);
  const comps = Object.entries(t.rewardComponents || {});
  if (comps.length || Object.keys(t.rewardFailures || {}).length) {
    box.append(
      el(
        'table',
        { className: 'rewards' },
        el('tr', {}, el('th', { text: 'reward component' }), el('th', { text: 'value' })),
        ...comps.map(([k, v]) => el('tr', {}, el('td', { text: k }), el('td', { text: fmt(v) }))),
        ...Object.entries(t.rewardFailures || {}).map(([k, v]) => el('tr', {}, el('td', { text: k }), el('td', { className: 'mono', text: `failed: ${v}` }))),
      ),
    );
  }
  if (t.toolCalls.length) {
    box.append(
      el(
        'table',
        { className: 'tool-calls' },
        el('tr', {}, ...['turn', 'tool', 'arguments', 'result', 'latency', 'observation'].map((h) => el('th', { text: h }))),
        ...t.toolCalls.map((c) =>
          el(
            'tr',
            { className: c.ok ? 'call-ok' : 'call-failed' },
            el('td', { text: c.turn }),
            el('td', { text: c.name || '(unparsed)' }),
            el('td', { className: 'mono', text: typeof c.args === 'string' ? c.args : JSON.stringify(c.args) }),
            el('td', {}, el('span', { className: `badge ${c.ok ? 'ok' : 'fail'}`, text: c.ok ? 'ok' : `error: ${c.error || 'failed'}` })),
            el('td', { text: c.latencyMs === undefined ? '–' : `${c.latencyMs} ms` }),
            el('td', { className: 'mono', text: c.observation }),
          ),
        ),
      ),
    );
  }
  const kids = childrenOf.get(t.id) || [];
  for (const seg of t.segments) {
    box.append(segmentView(seg, scale, mode));
    // Sub-agent rollouts appear right after the turn that spawned them.
    if (seg.kind === 'tool_call') for (const k of kids.filter((k) => k.spawnTurn === seg.turn)) box.append(trajectoryView(k, childrenOf, scale, mode));
  }
  const placed = new Set(t.segments.filter((s) => s.kind === 'tool_call').map((s) => s.turn));
  for (const k of kids.filter((k) => !placed.has(k.spawnTurn))) box.append(trajectoryView(k, childrenOf, scale, mode));
  if (t.droppedTokens) box.append(el('div', { className: 'empty', text: `… ${t.droppedTokens} more tokens not logged (trajectoryLog.maxTokens)` }));
  return box;
}

const KIND_LABEL = { prompt: 'prompt', policy: 'policy', tool_call: 'tool call', observation: 'observation', sub_agent: 'sub-agent', fold: 'fold' };

function segmentView(seg, scale, mode) {
  const tokens = el('div', { className: 'tokens' });
  seg.tokens.forEach((text, i) => {
    const span = el('span', { className: 'tok', text });
    const values = { mask: seg.lossMask?.[i], adv: seg.advantage?.[i], ratio: seg.ratio?.[i], logp: seg.logProb?.[i] };
    span.title = `id ${seg.ids[i]}${values.mask === undefined ? '' : ` · mask ${values.mask}`}${values.adv === undefined ? '' : ` · advantage ${fmt(values.adv)}`}${
      values.ratio === undefined || !values.mask ? '' : ` · ratio ${fmt(values.ratio)}`
    }${values.logp === undefined ? '' : ` · log-prob ${fmt(values.logp)}`}`;
    const c = tokenColour(seg, i, scale, mode);
    if (c) span.style.background = c;
    tokens.append(span);
  });
  return el(
    'div',
    { className: `segment kind-${seg.kind}`, 'data-kind': seg.kind },
    el('span', { className: 'kind', text: `${KIND_LABEL[seg.kind] || seg.kind} · ${seg.role}${seg.turn === undefined ? '' : ` · turn ${seg.turn}`}` }),
    tokens,
  );
}

/** The largest |advantage| and |log ratio| among trained tokens of the step, so colours compare across trajectories. */
function colourScale(record) {
  let adv = 0;
  let logRatio = 0;
  for (const tree of record.trees)
    for (const t of tree.trajectories)
      for (const s of t.segments) {
        s.advantage?.forEach((a, i) => s.lossMask?.[i] && (adv = Math.max(adv, Math.abs(a))));
        s.ratio?.forEach((r, i) => s.lossMask?.[i] && r > 0 && (logRatio = Math.max(logRatio, Math.abs(Math.log(r)))));
      }
  return { adv: adv || 1, logRatio: logRatio || 1e-3 };
}

/** Diverging colour: blue for positive, red for negative, white at zero; `x` in [-1, 1]. */
function diverging(x) {
  const a = Math.min(1, Math.abs(x));
  const [r, g, b] = x >= 0 ? [37, 99, 235] : [220, 38, 38];
  return `rgba(${r}, ${g}, ${b}, ${(0.08 + 0.6 * a).toFixed(3)})`;
}

function tokenColour(seg, i, scale, mode) {
  const mask = seg.lossMask?.[i];
  if (mode === 'lossMask') return mask === undefined ? null : mask ? 'rgba(5, 150, 105, 0.28)' : 'rgba(152, 162, 179, 0.18)';
  if (!mask) return null;
  if (mode === 'advantage' && seg.advantage) return diverging(seg.advantage[i] / scale.adv);
  if (mode === 'ratio' && seg.ratio && seg.ratio[i] > 0) return diverging(Math.log(seg.ratio[i]) / scale.logRatio);
  return null;
}

function renderLegend(mode, scale) {
  const legend = $('legend');
  if (mode === 'lossMask') {
    legend.replaceChildren(el('span', { text: 'green: trained tokens (loss mask 1) · grey: masked (prompt, tool output, shared prefix) · none: trajectory not trained' }));
    return;
  }
  const ramp = el('span', { className: 'ramp' });
  ramp.style.background = `linear-gradient(to right, ${diverging(-1)}, ${diverging(0)}, ${diverging(1)})`;
  legend.replaceChildren(
    mode === 'advantage'
      ? el('span', {}, `advantage  −${fmt(scale.adv)}`, ramp, `+${fmt(scale.adv)} (trained tokens only)`)
      : el('span', {}, `ratio  ${fmt(Math.exp(-scale.logRatio))}`, ramp, `${fmt(Math.exp(scale.logRatio))} (π after this step's update / π that sampled; trained tokens only)`),
  );
}

// ---------------------------------------------------------------- wiring

function showTab(name) {
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === name);
  $('metrics').classList.toggle('hidden', name !== 'metrics');
  $('trajectories').classList.toggle('hidden', name !== 'trajectories');
  location.hash = name;
}

async function tick() {
  try {
    await pollMetrics();
    await pollSteps();
    document.body.dataset.ready = 'true';
  } catch (e) {
    $('status').textContent = `cannot reach the server: ${e.message}`;
  }
  setTimeout(tick, state.pollMs);
}

async function start() {
  const config = await getJson('/api/config');
  state.pollMs = config.pollMs;
  state.runs = await getJson('/api/runs');
  state.metrics = state.runs.map(() => []);
  state.next = state.runs.map(() => 0);
  renderRuns();
  for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b.dataset.tab));
  $('add-chart').addEventListener('change', (e) => {
    if (e.target.value) state.charts.push(e.target.value);
    renderKeySelect();
    renderCharts();
  });
  $('smoothing').addEventListener('input', renderCharts);
  $('traj-run').addEventListener('change', async () => {
    $('traj-step').replaceChildren();
    await pollSteps();
  });
  $('traj-step').addEventListener('change', loadStep);
  $('colour-by').addEventListener('change', () => state.current && renderStep());
  for (const id of ['filter-reward-min', 'filter-reward-max', 'filter-length-min', 'filter-length-max', 'filter-failed']) $(id).addEventListener('input', () => state.current && renderStep());
  if (location.hash === '#trajectories') showTab('trajectories');
  await tick();
}

start();
