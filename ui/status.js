// The status page: models, backends and their breakers, the uplink, the
// durable queue and today's usage, read from the gateway's own API every few
// seconds. Each part asks its own endpoint, so a key that may see only some
// of them gets the rest and the gateway's refusal for the others.

import { api, el, fill, refusal, svg, table, formatTime } from './lib.js';

const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);

let timer = 0;

export function startStatus() {
  stopStatus();
  const tick = async () => {
    if (!document.hidden) await refresh();
    timer = setTimeout(tick, REFRESH_MS);
  };
  tick();
}

export function stopStatus() {
  clearTimeout(timer);
  timer = 0;
}

$('usage-by').addEventListener('change', () => refresh());

async function refresh() {
  const [ready, models, jobs, usage] = await Promise.all([
    api('/readyz'),
    api('/v1/models'),
    api('/v1/jobs?status=queued&limit=100'),
    api('/v1/usage?by=' + $('usage-by').value + '&since=' + secondsSinceMidnight() + 's'),
  ]);
  const health = ready.data || {};
  $('status-state').textContent = health.status || 'unreachable';
  $('status-state').dataset.state = health.status === 'ready' ? 'ok' : 'bad';
  $('status-uplink').textContent = health.uplink ? 'uplink ' + health.uplink : '';
  showModels(models, health.backends || []);
  showBackends(health);
  showQueue(jobs);
  showUsage(usage);
  $('status-updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
}

function secondsSinceMidnight() {
  const now = new Date();
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.max(1, Math.round((now - midnight) / 1000));
}

function showModels(answer, backends) {
  if (!answer.ok) return fill($('status-models'), refusal(answer));
  const kinds = new Map(backends.map((b) => [b.name, b.kind]));
  const rows = answer.data.data.map((m) => {
    const kind = kinds.get(m.owned_by);
    // The local engine lists the models it has loaded (all of them, at start)
    // as its own; other models are an upstream's or a route's name.
    const state = m.owned_by === 'edgeai-local' ? 'loaded'
      : kind ? 'remote (' + kind + ')' : 'routed';
    return [m.id, m.owned_by, state];
  });
  fill($('status-models'), rows.length
    ? table('Models', ['Model', 'Served by', 'State'], rows)
    : el('p', {}, 'No models are served.'));
}

function showBackends(health) {
  const backends = health.backends || [];
  const rows = backends.map((b) => [
    b.name, b.kind,
    el('span', { class: 'badge', 'data-state': b.circuit === 'closed' ? 'ok' : 'bad' }, b.circuit),
    String(b.in_flight ?? ''),
    b.first_byte_ms === undefined ? '–' : b.first_byte_ms + ' ms',
  ]);
  fill($('status-backends'), rows.length
    ? table('Backends', ['Backend', 'Kind', 'Breaker', 'In flight', 'First byte'], rows)
    : el('p', {}, 'No backends.'));
}

function showQueue(answer) {
  if (!answer.ok) return fill($('status-queue'), refusal(answer));
  const jobs = answer.data.data;
  const depth = jobs.length + (answer.data.has_more ? '+' : '');
  // Listed newest first: the last one is the oldest waiting.
  const oldest = jobs.length ? jobs[jobs.length - 1] : null;
  fill($('status-queue'), el('p', {},
    depth + ' queued',
    oldest ? '; oldest since ' + formatTime(oldest.created_at) + ' (' + oldest.id + ')' : ''));
}

function showUsage(answer) {
  if (!answer.ok) return fill($('status-usage'), refusal(answer));
  const groups = answer.data.data;
  const total = answer.data.total;
  const summary = el('p', {}, total.requests + ' requests, ' + total.total_tokens +
    ' tokens, cost ' + formatCost(total.cost));
  if (!groups.length) return fill($('status-usage'), summary);
  fill($('status-usage'), summary, usageChart(groups));
}

function formatCost(cost) {
  return cost === 0 ? '0' : cost.toPrecision(3);
}

// Horizontal bars of total tokens per group, drawn as SVG, with the numbers
// as text beside each bar; the figure's label reads them out.
function usageChart(groups) {
  const rowHeight = 28;
  const labelWidth = 160;
  const barWidth = 300;
  const max = Math.max(...groups.map((g) => g.total_tokens), 1);
  const height = groups.length * rowHeight;
  const chart = svg('svg', {
    viewBox: `0 0 ${labelWidth + barWidth + 170} ${height}`,
    role: 'img',
    'aria-label': groups.map((g) => `${g.group || '(none)'}: ${g.total_tokens} tokens`).join('; '),
  });
  groups.forEach((g, i) => {
    const y = i * rowHeight;
    const w = Math.max(1, Math.round((g.total_tokens / max) * barWidth));
    chart.append(
      svg('text', { x: 0, y: y + 18, class: 'chart-label' }, (g.group || '(none)').slice(0, 22)),
      svg('rect', { x: labelWidth, y: y + 6, width: w, height: 16, class: 'chart-bar' }),
      svg('text', { x: labelWidth + w + 6, y: y + 18, class: 'chart-value' },
        `${g.total_tokens} tok, ${formatCost(g.cost)}`));
  });
  return el('figure', { class: 'chart' }, chart);
}
