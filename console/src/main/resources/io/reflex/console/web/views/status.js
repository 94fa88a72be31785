// #/status: Kafka connectivity, throughput and lag per role, guardrails.
import * as api from '../api.js';
import { h, time, badge } from '../dom.js';

export function render(root) {
  const health = h('div', { class: 'panel', testid: 'status-health' });
  const kafka = h('div', { class: 'panel', testid: 'status-kafka' });
  const guardrails = h('div', { class: 'panel', testid: 'status-guardrails' });
  const updated = h('span', { class: 'muted small', testid: 'status-updated' });
  root.append(h('div', { class: 'row' }, h('h2', {}, 'Status'), h('span', { class: 'spacer' }), updated),
    h('div', { class: 'cards' }, health, kafka, guardrails));

  async function load() {
    const [hl, st, gr] = await Promise.all([api.get('/health'), api.get('/api/status'), api.get('/api/guardrails')]);
    health.replaceChildren(h('h3', {}, 'Health'), ...(hl.data && typeof hl.data === 'object'
      ? [h('p', {}, badge(hl.data.status || `HTTP ${hl.status}`, hl.data.status === 'UP' ? 'good' : 'bad')), kv(flatten(hl.data))]
      : [h('p', { class: 'error' }, api.describe(hl))]));

    if (st.ok) {
      const d = st.data;
      kafka.replaceChildren(h('h3', {}, 'Kafka'),
        h('p', {}, badge(d.kafka && d.kafka.up ? 'UP' : 'DOWN', d.kafka && d.kafka.up ? 'good' : 'bad'),
          d.kafka ? ` ${d.kafka.brokers} broker(s) · cluster ${d.kafka.clusterId || '?'}` : ''),
        h('table', { testid: 'status-topics' }, h('thead', {}, h('tr', {}, h('th', {}, 'Topic'), h('th', {}, 'End offset'), h('th', {}, 'msg/s'))),
          h('tbody', {}, ...(d.topics || []).map(t => h('tr', {}, h('td', {}, h('code', {}, t.name)), h('td', {}, t.endOffset),
            h('td', {}, t.ratePerSecond === undefined || t.ratePerSecond === null ? '' : Number(t.ratePerSecond).toFixed(1)))))),
        h('h3', {}, 'Lag per role'),
        h('table', { testid: 'status-roles' }, h('thead', {}, h('tr', {}, h('th', {}, 'Role'), h('th', {}, 'Group'), h('th', {}, 'Lag'))),
          h('tbody', {}, (d.roles || []).length ? null : h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'no consumer group reported')),
            ...(d.roles || []).map(r => h('tr', {}, h('td', {}, r.role), h('td', {}, h('code', {}, r.group)), h('td', {}, r.lag))))),
        h('p', { class: 'muted small' }, `as of ${time(d.at)}`));
    } else {
      kafka.replaceChildren(h('h3', {}, 'Kafka'), h('p', { class: 'muted' }, `Kafka status is not available: ${api.describe(st)}`));
    }

    if (gr.ok) {
      guardrails.replaceChildren(h('h3', {}, 'Guardrails'),
        h('p', {}, 'Kill switch: ', badge(gr.data.paused ? 'PAUSED' : 'running', gr.data.paused ? 'bad' : 'good')),
        kv(flatten(gr.data.guardrails || {})));
    } else {
      guardrails.replaceChildren(h('h3', {}, 'Guardrails'), h('p', { class: 'muted' }, `Not available: ${api.describe(gr)}`));
    }
    updated.textContent = `updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}`;
  }

  load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}

/** {a: {b: 1}} → [['a.b', 1]]; arrays of scalars joined, arrays of objects by index. */
function flatten(obj, prefix = '', out = []) {
  for (const [k, v] of Object.entries(obj || {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else if (Array.isArray(v) && v.some(x => x && typeof x === 'object')) v.forEach((x, i) => flatten(x, `${key}[${i}]`, out));
    else out.push([key, Array.isArray(v) ? v.join(', ') : v]);
  }
  return out;
}

function kv(pairs) {
  return h('dl', { class: 'kv small' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v ?? ''))]));
}
