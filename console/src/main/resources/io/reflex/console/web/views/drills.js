// #/drills: the drill files Reflex can run, the runs with their live state; #/drills/runs/{id}: one run's report.
import * as api from '../api.js';
import { h, time, badge, human } from '../dom.js';
import { guard, ask } from '../app.js';

const ACTIVE = ['QUEUED', 'RUNNING'];

const PHASES = [
  ['detect', 'Detect', 'detectMs', 'fault injected → the alert reached Reflex'],
  ['decide', 'Decide', 'decideMs', 'alert → the expected rule fired'],
  ['act', 'Act', 'actMs', 'rule fired → its action succeeded'],
  ['recover', 'Recover', 'recoverMs', 'fault injected → the steady state is back (graded against the SLO)'],
];

export function render(root) {
  const files = h('div', { testid: 'drill-files' }, h('p', { class: 'muted' }, 'Loading…'));
  const runs = h('div', { testid: 'drill-runs' });
  const message = h('div', { testid: 'drills-message' });
  const dirNote = h('span', { class: 'muted small', testid: 'drill-dir' });
  root.append(
    h('h2', {}, 'Drills'),
    h('p', { class: 'notice small', testid: 'drills-warning' },
      'A drill injects a real fault (it kills or stops a real service) and grades how Reflex heals it: ',
      'detect, decide, act and recover against the drill\'s SLO. Only operators and admins may run one; ',
      'a fault that is not healed by the drill\'s timeout is undone.'),
    message,
    h('div', { class: 'row' }, h('h3', {}, 'Drill files'), h('span', { class: 'spacer' }), dirNote),
    files,
    h('h3', {}, 'Runs'),
    runs);

  let shownFiles = null;
  let shownRuns = null;
  let timer = null;
  let stopped = false;

  async function load() {
    const answer = await api.get('/api/drills');
    if (stopped) return;
    if (!answer.ok) {
      const text = answer.missing ? 'Drills are not available: this Reflex does not run the drill role (--roles …,drill).'
        : `Drills could not be listed: ${api.describe(answer)}`;
      files.replaceChildren(h('p', { class: 'muted', testid: 'drills-unavailable' }, text));
      runs.replaceChildren();
      schedule(10000);
      return;
    }
    const d = answer.data;
    dirNote.textContent = d.dir ? `from ${d.dir}` : '';
    const fileSig = JSON.stringify(d.files);
    if (fileSig !== shownFiles) { shownFiles = fileSig; files.replaceChildren(filesTable(d.files || [])); }
    const runSig = JSON.stringify(d.runs);
    if (runSig !== shownRuns) { shownRuns = runSig; runs.replaceChildren(runsTable(d.runs || [])); }
    // Poll fast while a drill runs, so its state moves on the page as it moves in Reflex.
    schedule((d.runs || []).some(r => ACTIVE.includes(r.status)) ? 1500 : 8000);
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(load, ms);
  }

  function filesTable(list) {
    if (!list.length) {
      return h('p', { class: 'muted', testid: 'drill-files-empty' }, 'No drill files (*.yaml) in the drill dir yet. ',
        'Write one (see docs/drills.md), or start Reflex with the demo: it writes kill-demo-shop.yaml.');
    }
    return h('table', {},
      h('thead', {}, h('tr', {}, ...['File', 'Drill', 'Fault', 'Expected remediation', 'SLO', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, ...list.map(f => {
        const problems = f.problems || [];
        const button = guard(h('button', { type: 'button', class: 'danger', testid: 'drill-run-button' }, 'Run'), 'drill',
          problems.length ? 'This file has problems: fix them first.' : null);
        button.addEventListener('click', () => run(f));
        return h('tr', { testid: 'drill-file-row', 'data-file': f.file, 'data-valid': String(!problems.length) },
          h('td', {}, h('code', {}, f.file), f.mode ? h('div', { class: 'muted small' }, f.mode) : null),
          problems.length
            ? h('td', { colspan: 4 }, h('ul', { class: 'errors', testid: 'drill-file-problems' }, ...problems.map(p => h('li', {}, p))))
            : [h('td', {}, f.name), h('td', { class: 'small' }, f.fault), h('td', { class: 'small' }, f.expect),
              h('td', {}, human(f.sloMs))],
          h('td', {}, button, button.dataset.denied ? h('div', { class: 'muted small', testid: 'drill-run-denied' },
            `needs role ${api.PERMISSION_ROLES.drill || 'operator'}`) : null));
      })));
  }

  async function run(f) {
    const ok = await ask({ title: `Run the drill ${f.name}?`, danger: true, ok: 'Inject the fault',
      text: `This injects a real fault: ${f.fault}. Reflex is expected to heal it (${f.expect}) within ${human(f.sloMs)}.` });
    if (ok === null) return;
    const answer = await api.post('/api/drills', { file: f.file });
    if (answer.ok) {
      location.hash = `#/drills/runs/${encodeURIComponent(answer.data.id)}`;
    } else {
      message.replaceChildren(h('p', { class: 'error', testid: 'drill-refused' }, `Not run (HTTP ${answer.status}): ${api.describe(answer)}`));
    }
  }

  function runsTable(list) {
    if (!list.length) return h('p', { class: 'muted', testid: 'drill-runs-empty' }, 'No drill has run yet.');
    return h('table', {},
      h('thead', {}, h('tr', {}, ...['Queued', 'Drill', 'Status', 'Recovered in', 'Verdict', 'Incident'].map(t => h('th', {}, t)))),
      h('tbody', {}, ...list.map(r => h('tr', { class: 'clickable', testid: 'drill-run-row', 'data-run-id': r.id, 'data-status': r.status,
        onclick: () => { location.hash = `#/drills/runs/${encodeURIComponent(r.id)}`; } },
        h('td', { class: 'small' }, time(r.queuedAt)),
        h('td', {}, r.drill, h('div', { class: 'muted small' }, h('code', {}, r.id))),
        h('td', {}, badge(r.status)),
        h('td', {}, r.recoverMs === undefined ? '—' : human(r.recoverMs), r.sloMs ? h('span', { class: 'muted small' }, ` / SLO ${human(r.sloMs)}`) : null),
        h('td', { class: 'small' }, r.reason || (r.status === 'RUNNING' ? 'running…' : 'waiting for the drill before it')),
        h('td', { class: 'small' }, r.incidentId ? h('a', { href: `#/incidents/${encodeURIComponent(r.incidentId)}`,
          onclick: e => e.stopPropagation() }, r.incidentId) : '')))));
  }

  load();
  return () => { stopped = true; clearTimeout(timer); };
}

export function renderRun(root, id) {
  const body = h('div', { testid: 'drill-run' }, h('p', { class: 'muted' }, 'Loading…'));
  root.append(h('div', { class: 'row' }, h('a', { href: '#/drills', testid: 'back' }, '← Drills')), body);
  let timer = null;
  let stopped = false;
  let shown = null;

  async function load() {
    const answer = await api.get(`/api/drills/runs/${encodeURIComponent(id)}`);
    if (stopped) return;
    if (!answer.ok) {
      body.replaceChildren(h('p', { class: 'error', testid: 'drill-run-error' }, answer.status === 404
        ? `No drill run '${id}': the oldest reports are deleted past drill.maxRuns.` : api.describe(answer)));
      return;
    }
    const sig = JSON.stringify(answer.data);
    if (sig !== shown) { shown = sig; body.replaceChildren(...report(answer.data)); }
    if (ACTIVE.includes(answer.data.status)) timer = setTimeout(load, 1000);
  }

  load();
  return () => { stopped = true; clearTimeout(timer); };
}

function report(run) {
  const r = run.report;
  const out = [
    h('h2', { testid: 'drill-run-title' }, run.drill, ' ', h('span', { testid: 'drill-run-status', 'data-status': run.status }, badge(run.status))),
    h('p', { class: 'muted small' }, h('code', { testid: 'drill-run-id' }, run.id),
      run.file ? [' · from ', h('code', {}, run.file)] : ' · sent as YAML',
      ' · queued ', time(run.queuedAt), run.startedAt ? ` · started ${time(run.startedAt)}` : '',
      run.finishedAt ? ` · finished ${time(run.finishedAt)}` : ''),
  ];
  if (!r) {
    out.push(h('p', { class: 'notice', testid: 'drill-run-waiting' }, run.status === 'QUEUED'
      ? 'Waiting for the drill before it to finish: drills run one at a time.'
      : 'Running: the fault is injected and Reflex is being watched. This page follows it.'));
  } else {
    const phases = r.phases || {};
    out.push(h('div', { class: r.passed ? 'success' : 'error', testid: 'drill-verdict', 'data-passed': String(r.passed) },
      h('b', {}, r.passed ? 'Passed: ' : 'Failed: '), r.reason));
    out.push(h('div', { class: 'phases', testid: 'drill-phases' }, ...PHASES.map(([key, label, field, hint]) => {
      const ms = phases[field];
      const missing = ms === null || ms === undefined;
      const over = key === 'recover' && !missing && r.sloMs && ms > r.sloMs;
      return h('div', { class: 'phase', testid: `drill-phase-${key}`, title: hint, 'data-ms': missing ? '' : ms },
        h('div', { class: 'label' }, label),
        h('div', { class: `value${missing ? ' muted' : ''}${over ? ' bad' : key === 'recover' && !missing ? ' good' : ''}` },
          missing ? 'did not happen' : human(ms)),
        key === 'recover' && r.sloMs ? h('div', { class: 'label' }, `SLO ${human(r.sloMs)}`) : h('div', { class: 'label' }, hint));
    })));
    out.push(h('div', { class: 'layout-2' },
      h('section', {},
        h('h3', {}, 'Fault'),
        h('dl', { class: 'kv' },
          h('dt', {}, 'fault'), h('dd', { testid: 'drill-fault' }, r.fault || ''),
          h('dt', {}, 'resource'), h('dd', {}, h('code', {}, r.resource || '')),
          h('dt', {}, 'injected at'), h('dd', { testid: 'drill-injected-at' }, r.injectedAt ? time(r.injectedAt) : 'not injected'),
          h('dt', {}, 'undo'), h('dd', { testid: 'drill-undo' }, r.undo || (r.injectedAt ? 'not needed: Reflex healed it' : 'nothing to undo'))),
        h('h3', {}, 'Expected and actual'),
        h('dl', { class: 'kv' },
          h('dt', {}, 'expected'), h('dd', { testid: 'drill-expected' }, r.expected || ''),
          h('dt', {}, 'rules fired'), h('dd', { testid: 'drill-rules' }, (r.actualRules || []).length ? r.actualRules.join(', ') : 'none'),
          h('dt', {}, 'actions'), h('dd', { testid: 'drill-actions' }, (r.actualActions || []).length
            ? h('ul', { class: 'small' }, ...r.actualActions.map(a => h('li', {}, a))) : 'none'),
          h('dt', {}, 'incident'), h('dd', {}, r.incidentId
            ? h('a', { href: `#/incidents/${encodeURIComponent(r.incidentId)}`, testid: 'drill-incident-link' }, `${r.incidentId}: its timeline`)
            : 'none opened'))),
      h('section', {}, progress(run))));
    return out;
  }
  out.push(progress(run));
  return out;
}

function progress(run) {
  const lines = run.progress || [];
  return h('div', {}, h('h3', {}, 'Progress'),
    h('pre', { class: 'panel small', testid: 'drill-progress' }, lines.length ? lines.join('\n') : 'nothing yet'));
}
