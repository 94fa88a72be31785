// #/incidents/{id}: what happened, why, and what Reflex did, step by step.
import * as api from '../api.js';
import { h, time, clock, badge, debounce, durationMs, human } from '../dom.js';

const PHASES = [
  ['detect', 'Time to detect', 'timeToDetect', 'alert started → Reflex received it'],
  ['decide', 'Time to decide', 'timeToDecide', 'received → a rule fired'],
  ['act', 'Time to act', 'timeToAct', 'rule fired → action dispatched'],
  ['recover', 'Time to recover', 'timeToRecover', 'dispatched → verified or resolved'],
];

/** Refs worth a label of their own; the rest are shown as they come. */
const REF_ORDER = ['source', 'rule', 'version', 'ruleVersion', 'actionId', 'status', 'attempt', 'mode', 'decidedBy', 'reason', 'output', 'detail'];

export function render(root, id) {
  const body = h('div', { testid: 'incident-detail' }, h('p', { class: 'muted' }, 'Loading…'));
  const live = h('span', { class: 'live off', testid: 'stream-state' }, 'connecting');
  root.append(h('div', { class: 'row' }, h('a', { href: '#/incidents', testid: 'back' }, '← Incidents'), h('span', { class: 'spacer' }), live), body);
  let explanation = null; // asked once per visit: the answer depends on the alert, not on later steps

  async function load() {
    const answer = await api.get(`/api/incidents/${encodeURIComponent(id)}`);
    if (!answer.ok) {
      body.replaceChildren(h('p', { class: 'error', testid: 'incident-error' },
        answer.status === 404 ? `No incident '${id}': it may have been resolved long ago and left the retention window.` : api.describe(answer)));
      return;
    }
    const inc = answer.data;
    const timeline = inc.timeline || [];
    const phases = inc.phases || computePhases(timeline);
    const whyBox = h('div', { testid: 'why-no-rule', hidden: true });
    body.replaceChildren(
      h('h2', { testid: 'incident-title' }, inc.title || inc.id, ' ', badge(inc.status)),
      h('p', { class: 'muted small' },
        h('code', { testid: 'incident-id' }, inc.id), ' · ',
        inc.resource ? h('code', {}, `${inc.resource.kind}:${inc.resource.name}`) : '', ' · opened ', time(inc.openedAt),
        inc.resolvedAt ? ` · resolved ${time(inc.resolvedAt)}` : '', inc.drillId ? [' · drill ', h('code', {}, inc.drillId)] : null),
      h('div', { class: 'phases', testid: 'phases' }, ...PHASES.map(([key, label, field, hint]) => {
        const ms = durationMs(phases[field]);
        return h('div', { class: 'phase', testid: `phase-${key}`, title: hint, 'data-ms': ms ?? '' },
          h('div', { class: 'label' }, label), h('div', { class: 'value' }, ms === null ? 'not yet' : human(ms)));
      })),
      h('div', { class: 'layout-2' },
        h('section', {}, h('h3', {}, `Timeline · ${timeline.length} step${timeline.length === 1 ? '' : 's'}`), timelineList(timeline)),
        h('section', {}, whyBox, h('h3', {}, 'Actions'), actionsTable(inc.actions || []))));
    if (!timeline.some(e => e.kind === 'RULE_FIRED')) explain(inc, timeline, whyBox);
  }

  async function explain(inc, timeline, box) {
    box.hidden = false;
    box.className = 'panel';
    const received = timeline.find(e => e.kind === 'ALERT_RECEIVED');
    const refs = (received && received.refs) || {};
    const labels = {};
    for (const [k, v] of Object.entries(refs)) if (k.startsWith('label.')) labels[k.slice(6)] = v;
    const alert = { name: inc.alert || refs.alert || refs.alertName || (inc.title || '').split(' ')[0], labels,
      resource: inc.resource ? { kind: inc.resource.kind, name: inc.resource.name } : undefined, status: 'FIRING' };
    box.replaceChildren(h('h3', {}, 'Why did no rule act?'), h('p', { class: 'muted small' }, 'Asking the active rules…'));
    explanation = explanation || api.post('/api/rules/explain', alert);
    const answer = await explanation;
    const out = [h('h3', {}, 'Why did no rule act?')];
    if (!answer.ok) {
      out.push(h('p', { class: 'muted', testid: 'why-unavailable' }, answer.missing
        ? 'Explanations are not available on this server.' : `No explanation: ${api.describe(answer)}`));
    } else {
      const d = answer.data;
      if (d.fired && d.fired.length) {
        out.push(h('p', { testid: 'why-fired' }, `Version ${d.version} would fire now: `, d.fired.join(', '),
          '. The rules changed since, or the alert was handled before they were deployed.'));
      } else {
        out.push(h('p', {}, `No rule of the active version (${d.version}) matches this alert on its own.`));
      }
      if (d.nearest && d.nearest.length) {
        out.push(h('ul', { testid: 'why-nearest' }, ...d.nearest.map(n =>
          h('li', {}, h('b', {}, n.rule), n.line ? h('span', { class: 'muted' }, ` (line ${n.line})`) : '', ': ', n.reason))));
      }
      if (d.note) out.push(h('p', { class: 'muted small' }, d.note));
    }
    box.replaceChildren(...out);
  }

  const reload = debounce(load, 300);
  const stop = api.stream(`/api/stream?incident=${encodeURIComponent(id)}`, (type, data) => {
    if (type === 'incident' || !data || !data.incidentId || data.incidentId === id) reload();
  }, s => {
    live.className = `live ${s === 'live' ? 'on' : s === 'retry' ? 'retry' : 'off'}`;
    live.textContent = { live: 'live', retry: 'reconnecting…', missing: 'not live (stream not available)', closed: 'offline' }[s] || s;
  });
  load();
  return stop;
}

function timelineList(timeline) {
  if (!timeline.length) return h('p', { class: 'muted' }, 'No steps recorded yet.');
  let previous = null;
  return h('ol', { class: 'timeline', testid: 'timeline' }, ...timeline.map((e, index) => {
    const gapMs = e.sincePrevious !== undefined ? durationMs(e.sincePrevious)
      : previous ? new Date(e.at) - new Date(previous) : null;
    previous = e.at;
    return h('li', { class: e.kind, testid: 'timeline-entry', 'data-kind': e.kind, 'data-index': index },
      index > 0 && gapMs !== null ? h('span', { class: 'gap', testid: 'timeline-gap', title: 'time since the previous step' }, `+${human(gapMs)}`) : null,
      badge(e.kind.replaceAll('_', ' '), e.kind), h('span', { class: 'when', title: e.at }, clock(e.at)),
      h('div', { class: 'summary', testid: 'timeline-summary' }, e.summary),
      refsView(e.refs || {}));
  }));
}

function refsView(refs) {
  const entries = Object.entries(refs).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (!entries.length) return null;
  const labels = entries.filter(([k]) => k.startsWith('label.'));
  const rest = entries.filter(([k]) => !k.startsWith('label.'))
    .sort(([a], [b]) => rank(a) - rank(b));
  const chips = [];
  for (const [k, v] of rest) {
    const text = String(v);
    if ((k === 'output' || k === 'detail') && text.length > 80) {
      chips.push(h('details', { class: 'small', testid: `ref-${k}` }, h('summary', {}, `${k}: ${text.slice(0, 60)}…`), h('pre', {}, text)));
    } else {
      chips.push(h('span', { class: 'ref', testid: `ref-${k}`, title: k }, h('b', {}, `${k} `), text));
    }
  }
  if (labels.length) {
    chips.push(h('span', { class: 'ref', testid: 'ref-labels' }, h('b', {}, 'labels '),
      labels.map(([k, v]) => `${k.slice(6)}=${v}`).join(', ')));
  }
  return h('div', { class: 'refs' }, ...chips);
}

function rank(key) {
  const i = REF_ORDER.indexOf(key);
  return i < 0 ? REF_ORDER.length : i;
}

function actionsTable(actions) {
  if (!actions.length) return h('p', { class: 'muted', testid: 'no-actions' }, 'No action was taken.');
  return h('table', { testid: 'incident-actions' },
    h('thead', {}, h('tr', {}, ...['Type', 'Target', 'Status', 'Rule'].map(t => h('th', {}, t)))),
    h('tbody', {}, ...actions.map(a => h('tr', { testid: 'incident-action', 'data-action-id': a.id, 'data-status': a.status },
      h('td', {}, a.type, h('div', { class: 'muted small' }, h('code', {}, a.id))),
      h('td', {}, h('code', {}, targetText(a.target))),
      h('td', {}, badge(a.status)),
      h('td', { class: 'small' }, ruleText(a.rule))))));
}

function targetText(t) {
  if (!t) return '';
  if (typeof t === 'string') return t;
  return [t.connector, `${t.kind}:${t.name}`].filter(Boolean).join(' → ');
}

function ruleText(r) {
  if (!r) return '';
  if (typeof r === 'string') return r;
  return `${r.name}${r.version !== undefined ? ` (v${r.version})` : ''}`;
}

/** The phases from the timeline, for a server that does not send them. */
function computePhases(timeline) {
  const first = kind => timeline.find(e => e.kind === kind);
  const received = first('ALERT_RECEIVED');
  const detected = received && received.refs && received.refs.startsAt ? received.refs.startsAt : received && received.at;
  const decided = first('RULE_FIRED');
  const acted = first('ACTION_DISPATCHED');
  const recovered = first('RESOLVED') || first('VERIFIED');
  const between = (a, b) => (a && b ? new Date(b) - new Date(a) : null);
  return {
    timeToDetect: between(detected, received && received.at),
    timeToDecide: between(received && received.at, decided && decided.at),
    timeToAct: between(decided && decided.at, acted && acted.at),
    timeToRecover: between(acted && acted.at, recovered && recovered.at),
  };
}
