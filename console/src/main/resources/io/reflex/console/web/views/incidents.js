// #/incidents: the live list with filters, search and cursor pagination.
import * as api from '../api.js';
import { h, time, badge, debounce, isoFromLocal } from '../dom.js';

const PAGE = 25;
/** Filters survive navigating to an incident and back (this tab only). */
const state = { status: '', resource: '', alert: '', from: '', to: '', drill: '', q: '' };

export function render(root) {
  let cursors = [null]; // cursor of each page shown so far; the last is the current page's
  let next = null;
  let known = new Set();
  let polling = null;

  const field = (name, el) => { el.value = state[name]; el.dataset.testid = `filter-${name}`; el.name = name; return el; };
  const statusSel = field('status', h('select', {}, h('option', { value: '' }, 'any'),
    ...['OPEN', 'REMEDIATING', 'ESCALATED', 'RESOLVED'].map(s => h('option', { value: s }, s))));
  const drillSel = field('drill', h('select', {}, h('option', { value: '' }, 'drills and real'),
    h('option', { value: 'false' }, 'real only'), h('option', { value: 'true' }, 'drills only')));
  const resource = field('resource', h('input', { type: 'text', placeholder: 'host:web-1', size: 14 }));
  const alert = field('alert', h('input', { type: 'text', placeholder: 'ServiceDown', size: 14 }));
  const from = field('from', h('input', { type: 'datetime-local', step: 1 }));
  const to = field('to', h('input', { type: 'datetime-local', step: 1 }));
  const q = field('q', h('input', { type: 'search', placeholder: 'title, resource or alert', size: 22 }));
  const live = h('span', { class: 'live off', testid: 'stream-state', title: 'live updates from /api/stream' }, 'connecting');
  const summary = h('span', { class: 'muted small', testid: 'incidents-summary' });
  const tbody = h('tbody', { testid: 'incident-rows' });
  const message = h('p', { class: 'notice', testid: 'incidents-message', hidden: true });
  const prev = h('button', { type: 'button', class: 'ghost', testid: 'page-prev', disabled: true }, '← Newer');
  const nextBtn = h('button', { type: 'button', class: 'ghost', testid: 'page-next', disabled: true }, 'Older →');
  const clear = h('button', { type: 'button', class: 'ghost', testid: 'filter-clear' }, 'Clear');

  root.append(
    h('div', { class: 'row' }, h('h2', {}, 'Incidents'), live, h('span', { class: 'spacer' }), summary),
    h('form', { class: 'filters', testid: 'filters', onsubmit: e => e.preventDefault() },
      h('label', {}, 'Status', statusSel), h('label', {}, 'Resource', resource), h('label', {}, 'Alert', alert),
      h('label', {}, 'Opened from', from), h('label', {}, 'to', to), h('label', {}, 'Kind', drillSel),
      h('label', {}, 'Search', q), clear),
    message,
    h('table', {}, h('thead', {}, h('tr', {}, ...['Opened', 'Status', 'Incident', 'Resource', 'Alert', 'Actions'].map(t => h('th', {}, t)))), tbody),
    h('div', { class: 'row end' }, prev, nextBtn));

  function query(cursor) {
    const p = new URLSearchParams();
    for (const k of ['status', 'resource', 'alert', 'drill', 'q']) if (state[k]) p.set(k, state[k]);
    if (state.from) p.set('from', isoFromLocal(state.from));
    if (state.to) p.set('to', isoFromLocal(state.to));
    p.set('limit', PAGE);
    if (cursor) p.set('cursor', cursor);
    return `/api/incidents?${p}`;
  }

  async function load() {
    const answer = await api.get(query(cursors[cursors.length - 1]));
    if (!answer.ok) {
      message.hidden = false;
      message.textContent = `Incidents could not be listed: ${api.describe(answer)}`;
      return;
    }
    message.hidden = true;
    const items = answer.data.items || [];
    next = answer.data.next || null;
    tbody.replaceChildren(...items.map(row));
    if (!items.length) tbody.append(h('tr', {}, h('td', { colspan: 6, class: 'muted', testid: 'incidents-empty' },
      Object.values(state).some(Boolean) ? 'No incident matches these filters.' : 'No incidents yet. They appear here live.')));
    known = new Set(items.map(i => i.id));
    prev.disabled = cursors.length <= 1;
    nextBtn.disabled = !next;
    summary.textContent = `page ${cursors.length} · ${items.length} shown · updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}`;
  }

  function row(i) {
    const tr = h('tr', { class: 'clickable' + (known.size && !known.has(i.id) ? ' fresh' : ''), testid: 'incident-row',
      'data-id': i.id, 'data-status': i.status, onclick: () => { location.hash = `#/incidents/${encodeURIComponent(i.id)}`; } },
      h('td', { class: 'small' }, time(i.openedAt)),
      h('td', {}, badge(i.status)),
      h('td', {}, h('a', { href: `#/incidents/${encodeURIComponent(i.id)}`, testid: 'incident-link' }, i.title || i.id),
        i.drillId ? [' ', badge('DRILL')] : null, h('div', { class: 'muted small' }, h('code', {}, i.id))),
      h('td', {}, h('code', {}, i.resource ? `${i.resource.kind}:${i.resource.name}` : '')),
      h('td', {}, i.alert || ''),
      h('td', {}, ...(i.actions || []).map(a => h('div', { class: 'small' }, `${a.type} `, badge(a.status)))));
    return tr;
  }

  const reload = debounce(() => { cursors = [null]; load(); }, 300);
  const refresh = debounce(load, 250);
  for (const el of [statusSel, drillSel, from, to]) el.addEventListener('change', () => { state[el.name] = el.value; reload(); });
  for (const el of [resource, alert, q]) el.addEventListener('input', () => { state[el.name] = el.value.trim(); reload(); });
  clear.addEventListener('click', () => {
    for (const k of Object.keys(state)) state[k] = '';
    for (const el of [statusSel, drillSel, resource, alert, from, to, q]) el.value = '';
    reload();
  });
  nextBtn.addEventListener('click', () => { if (next) { cursors.push(next); load(); } });
  prev.addEventListener('click', () => { if (cursors.length > 1) { cursors.pop(); load(); } });

  const stop = api.stream('/api/stream', (type) => {
    // An incident opened or changed: the server applies the filters, so ask it again. Later pages stay
    // put while the user reads them; new incidents only show on the first page (newest first).
    if ((type === 'incident' || type === 'timeline') && cursors.length === 1) refresh();
  }, s => {
    live.className = `live ${s === 'live' ? 'on' : s === 'retry' ? 'retry' : 'off'}`;
    live.textContent = { live: 'live', retry: 'reconnecting…', missing: 'live stream not available: refreshing every 5 s', closed: 'offline' }[s] || s;
    if (s === 'missing' && !polling) polling = setInterval(() => { if (cursors.length === 1) load(); }, 5000);
    if (s === 'live') load(); // catch up on what happened while disconnected
  });

  load();
  return () => { stop(); if (polling) clearInterval(polling); };
}
