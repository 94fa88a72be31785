// #/drills: the drill and GameDay files Reflex can run, the GameDays and runs with their live state;
// #/drills/runs/{id}: one run's report, or a GameDay's page when the id is a GameDay's (gameday-…).
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
  const days = h('div', { testid: 'gamedays' });
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
    h('h3', {}, 'GameDays'),
    days,
    h('h3', {}, 'Runs'),
    runs);

  let shownFiles = null;
  let shownRuns = null;
  let shownDays = null;
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
    const daySig = JSON.stringify(d.gamedays);
    if (daySig !== shownDays) { shownDays = daySig; days.replaceChildren(gameDaysTable(d.gamedays || [])); }
    // Poll fast while a drill runs, so its state moves on the page as it moves in Reflex.
    const active = [...(d.runs || []), ...(d.gamedays || [])].some(r => ACTIVE.includes(r.status));
    schedule(active ? 1500 : 8000);
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
        const gameDay = f.kind === 'gameday';
        const dr = f.kind === 'dr';
        return h('tr', { testid: 'drill-file-row', 'data-file': f.file, 'data-kind': f.kind || 'drill', 'data-valid': String(!problems.length) },
          h('td', {}, h('code', {}, f.file), gameDay ? h('div', {}, h('span', { class: 'badge gameday', testid: 'gameday-mark' }, 'GameDay'))
            : dr ? h('div', {}, h('span', { class: 'badge gameday', testid: 'dr-mark' }, 'DR drill'))
            : f.mode ? h('div', { class: 'muted small' }, f.mode) : null),
          problems.length
            ? h('td', { colspan: 4 }, h('ul', { class: 'errors', testid: 'drill-file-problems' }, ...problems.map(p => h('li', {}, p))))
            : gameDay
              ? [h('td', {}, f.name), h('td', { class: 'small', colspan: 3 }, `${f.runs} drill runs in a row, one at a time`)]
              : dr
              ? [h('td', {}, f.name), h('td', { class: 'small', colspan: 3, testid: 'dr-does' }, f.fault)]
              : [h('td', {}, f.name), h('td', { class: 'small' }, f.fault), h('td', { class: 'small' }, f.expect),
                h('td', {}, human(f.sloMs))],
          h('td', {}, button, button.dataset.denied ? h('div', { class: 'muted small', testid: 'drill-run-denied' },
            `needs role ${api.PERMISSION_ROLES.drill || 'operator'}`) : null));
      })));
  }

  async function run(f) {
    const ok = f.kind === 'gameday'
      ? await ask({ title: `Run the GameDay ${f.name}?`, danger: true, ok: 'Run the GameDay',
        text: `This runs ${f.runs} drills one after another; its live drills inject real faults.` })
      : f.kind === 'dr'
      ? await ask({ title: `Run the DR drill ${f.name}?`, danger: true, ok: 'Run the DR drill',
        text: `This sends synthetic alerts and disrupts Reflex itself: ${f.fault}. It then counts alerts lost and actions duplicated.` })
      : await ask({ title: `Run the drill ${f.name}?`, danger: true, ok: 'Inject the fault',
        text: `This injects a real fault: ${f.fault}. Reflex is expected to heal it (${f.expect}) within ${human(f.sloMs)}.` });
    if (ok === null) return;
    const answer = await api.post('/api/drills', { file: f.file });
    if (answer.ok) {
      location.hash = `#/drills/runs/${encodeURIComponent(answer.data.id)}`;
    } else {
      message.replaceChildren(h('p', { class: 'error', testid: 'drill-refused' }, `Not run (HTTP ${answer.status}): ${api.describe(answer)}`));
    }
  }

  function gameDaysTable(list) {
    if (!list.length) return h('p', { class: 'muted', testid: 'gamedays-empty' }, 'No GameDay has run yet.');
    return h('table', {},
      h('thead', {}, h('tr', {}, ...['Queued', 'GameDay', 'Status', 'Passed / failed', 'Coverage', 'MTTR p50'].map(t => h('th', {}, t)))),
      h('tbody', {}, ...list.map(g => h('tr', { class: 'clickable', testid: 'gameday-row', 'data-gameday-id': g.id, 'data-status': g.status,
        onclick: () => { location.hash = `#/drills/runs/${encodeURIComponent(g.id)}`; } },
        h('td', { class: 'small' }, time(g.queuedAt)),
        h('td', {}, g.name, h('div', { class: 'muted small' }, h('code', {}, g.id))),
        h('td', {}, badge(g.status)),
        h('td', { testid: 'gameday-counts' }, g.passed === undefined ? `${g.drillsRun} / ${g.planned} run`
          : `${g.passed} passed / ${g.failed} failed`),
        h('td', { testid: 'gameday-coverage' }, g.coveragePercent === undefined ? '—' : `${g.coveragePercent} %`),
        h('td', {}, g.mttrP50Ms === undefined ? '—' : human(g.mttrP50Ms))))));
  }

  function runsTable(list) {
    if (!list.length) return h('p', { class: 'muted', testid: 'drill-runs-empty' }, 'No drill has run yet.');
    return h('table', {},
      h('thead', {}, h('tr', {}, ...['Queued', 'Drill', 'Status', 'Recovered in', 'Verdict', 'Incident'].map(t => h('th', {}, t)))),
      h('tbody', {}, ...list.map(r => h('tr', { class: 'clickable', testid: 'drill-run-row', 'data-run-id': r.id, 'data-status': r.status,
        onclick: () => { location.hash = `#/drills/runs/${encodeURIComponent(r.id)}`; } },
        h('td', { class: 'small' }, time(r.queuedAt)),
        h('td', {}, r.drill, r.kind === 'dr' ? [' ', h('span', { class: 'badge gameday', testid: 'dr-run-mark' }, 'DR')] : null,
          h('div', { class: 'muted small' }, h('code', {}, r.id)),
          r.gameday ? h('div', { class: 'muted small' }, 'in ', h('code', {}, r.gameday)) : null),
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
  if (id.startsWith('gameday-')) return renderGameDay(root, id);
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
  if (run.kind === 'dr') return drReport(run);
  const r = run.report;
  const out = [
    h('h2', { testid: 'drill-run-title' }, run.drill, ' ', h('span', { testid: 'drill-run-status', 'data-status': run.status }, badge(run.status))),
    h('p', { class: 'muted small' }, h('code', { testid: 'drill-run-id' }, run.id),
      run.file ? [' · from ', h('code', {}, run.file)] : ' · sent as YAML',
      ' · queued ', time(run.queuedAt), run.startedAt ? ` · started ${time(run.startedAt)}` : '',
      run.finishedAt ? ` · finished ${time(run.finishedAt)}` : '',
      run.gameday ? [' · in GameDay ', h('a', { href: `#/drills/runs/${encodeURIComponent(run.gameday)}`, testid: 'drill-run-gameday' }, run.gameday)] : ''),
  ];
  if (r) out.push(htmlLink(`/api/drills/runs/${encodeURIComponent(run.id)}/report.html`, `${run.id}.html`));
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

/** A DR drill's run: traffic, losses and repeats, each step's time from the start of the traffic, the verdict. */
function drReport(run) {
  const r = run.drReport;
  const out = [
    h('h2', { testid: 'drill-run-title' }, run.drill, ' ', h('span', { class: 'badge gameday' }, 'DR drill'), ' ',
      h('span', { testid: 'drill-run-status', 'data-status': run.status }, badge(run.status))),
    h('p', { class: 'muted small' }, h('code', { testid: 'drill-run-id' }, run.id),
      run.file ? [' · from ', h('code', {}, run.file)] : ' · sent as YAML',
      ' · queued ', time(run.queuedAt), run.startedAt ? ` · started ${time(run.startedAt)}` : '',
      run.finishedAt ? ` · finished ${time(run.finishedAt)}` : ''),
  ];
  if (!r) {
    out.push(h('p', { class: 'notice', testid: 'drill-run-waiting' }, run.status === 'QUEUED'
      ? 'Waiting for the drill before it to finish: drills run one at a time.'
      : 'Running: synthetic alerts flow while Reflex is disrupted. This page follows it.'));
    out.push(progress(run));
    return out;
  }
  const at = t => {
    if (!t) return null;
    if (!r.startedAt) return time(t);
    return `+${((Date.parse(t) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s`;
  };
  const card = (label, value, testid, bad) => h('div', { class: 'phase', testid },
    h('div', { class: 'label' }, label), h('div', { class: `value${bad ? ' bad' : ''}` }, value));
  out.push(htmlLink(`/api/drills/runs/${encodeURIComponent(run.id)}/report.html`, `${run.id}.html`));
  out.push(h('div', { class: r.passed ? 'success' : 'error', testid: 'drill-verdict', 'data-passed': String(r.passed) },
    h('b', {}, r.passed ? 'Passed: ' : 'Failed: '), r.reason));
  out.push(h('div', { class: 'phases totals', testid: 'dr-counts' },
    card('Sent / acked', `${r.alertsSent} / ${r.alertsAcked}`, 'dr-traffic'),
    card('Lost', String(r.alertsLost), 'dr-lost', r.alertsLost > 0),
    card('Decided twice', String(r.alertsDecidedTwice), 'dr-decided-twice', r.alertsDecidedTwice > 0),
    card('Actions duplicated', String(r.actionsDuplicated), 'dr-actions-duplicated', r.actionsDuplicated > 0),
    card('Results duplicated', String(r.resultsDuplicated), 'dr-results-duplicated', r.resultsDuplicated > 0),
    card('Caught up', r.caughtUpAt ? at(r.caughtUpAt) : 'no', 'dr-caught-up', !r.caughtUpAt)));
  out.push(h('div', { class: 'layout-2' },
    h('section', {},
      h('h3', {}, 'Steps'),
      h('dl', { class: 'kv' },
        h('dt', {}, 'path'), h('dd', { testid: 'dr-path' }, r.executed
          ? `real: actions executed; incidents labelled drillId=${r.id}` : 'rehearsal: DRY_RUN actions, no connector called'),
        h('dt', {}, 'actions'), h('dd', { testid: 'dr-actions' }, `${r.actionsDecided} decided, ${r.actionsWithoutResult} without a result`),
        h('dt', {}, 'kill'), h('dd', { testid: 'dr-kill' }, r.role
          ? `${r.role}: ${r.killed || '—'}${r.killedAt ? ` at ${at(r.killedAt)}` : ''}${r.alertsDecidedBeforeKill === undefined || r.alertsDecidedBeforeKill === null ? '' : `, ${r.alertsDecidedBeforeKill} alerts decided before`}`
          : 'none'),
        h('dt', {}, 'restart'), h('dd', { testid: 'dr-restart' }, r.restartedAt ? `pid ${r.restartedPid} at ${at(r.restartedAt)}` : '—'),
        h('dt', {}, 'broker'), h('dd', { testid: 'dr-broker' }, r.brokerRestartedAt ? `restarted, answering again at ${at(r.brokerRestartedAt)}` : 'not restarted')),
      (r.lostExamples || []).length ? [h('h3', {}, 'Lost alerts (examples)'),
        h('ul', { class: 'small', testid: 'dr-lost-examples' }, ...r.lostExamples.map(x => h('li', {}, h('code', {}, x))))] : null,
      (r.duplicateExamples || []).length ? [h('h3', {}, 'Repeats (examples)'),
        h('ul', { class: 'small', testid: 'dr-duplicate-examples' }, ...r.duplicateExamples.map(x => h('li', {}, x)))] : null),
    h('section', {}, progress(run))));
  return out;
}

function progress(run) {
  const lines = run.progress || [];
  return h('div', {}, h('h3', {}, 'Progress'),
    h('pre', { class: 'panel small', testid: 'drill-progress' }, lines.length ? lines.join('\n') : 'nothing yet'));
}

/**
 * A button that saves the HTML report: the report is behind the API's token, which a plain link
 * would not send, so it is fetched and handed over as a file.
 */
function htmlLink(path, name) {
  const button = h('button', { type: 'button', class: 'ghost', testid: 'html-report-link', 'data-href': path }, 'HTML report');
  const note = h('span', { class: 'muted small' });
  button.addEventListener('click', async () => {
    const answer = await api.get(path, { raw: true });
    if (!answer.ok) { note.textContent = ` not available: ${api.describe(answer)}`; return; }
    const url = URL.createObjectURL(new Blob([answer.data], { type: 'text/html' }));
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  return h('p', { class: 'small' }, button, note);
}

/** #/drills/runs/gameday-…: a GameDay's totals, then its drill runs, each linking to its run page. */
function renderGameDay(root, id) {
  const body = h('div', { testid: 'gameday' }, h('p', { class: 'muted' }, 'Loading…'));
  root.append(h('div', { class: 'row' }, h('a', { href: '#/drills', testid: 'back' }, '← Drills')), body);
  let timer = null;
  let stopped = false;
  let shown = null;

  async function load() {
    const answer = await api.get(`/api/drills/gamedays/${encodeURIComponent(id)}`);
    if (stopped) return;
    if (!answer.ok) {
      body.replaceChildren(h('p', { class: 'error', testid: 'gameday-error' }, answer.status === 404
        ? `No GameDay '${id}': the oldest reports are deleted past drill.maxRuns.` : api.describe(answer)));
      return;
    }
    const g = answer.data;
    const runs = await Promise.all((g.runs || []).map(runId => api.get(`/api/drills/runs/${encodeURIComponent(runId)}`)));
    if (stopped) return;
    const sig = JSON.stringify([g, runs.map(r => r.data)]);
    if (sig !== shown) { shown = sig; body.replaceChildren(...gameDay(g, runs.filter(r => r.ok).map(r => r.data))); }
    if (ACTIVE.includes(g.status)) timer = setTimeout(load, 1500);
  }

  load();
  return () => { stopped = true; clearTimeout(timer); };
}

function gameDay(g, runs) {
  const t = g.report ? g.report.totals : null;
  const mttr = t ? t.mttr || {} : {};
  const card = (label, value, testid) => h('div', { class: 'phase', testid },
    h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
  const out = [
    h('h2', { testid: 'gameday-title' }, `GameDay ${g.name}`, ' ', h('span', { testid: 'gameday-status', 'data-status': g.status }, badge(g.status))),
    h('p', { class: 'muted small' }, h('code', {}, g.id), g.file ? [' · from ', h('code', {}, g.file)] : '',
      ' · queued ', time(g.queuedAt), g.startedAt ? ` · started ${time(g.startedAt)}` : '',
      g.finishedAt ? ` · finished ${time(g.finishedAt)}` : ''),
    h('div', { class: 'phases totals', testid: 'gameday-totals' },
      card('Drills', t ? `${t.drillsRun} of ${g.planned}` : `${(g.runs || []).length} of ${g.planned}`, 'gameday-total-runs'),
      card('Passed / failed', t ? `${t.passed} / ${t.failed}` : '—', 'gameday-total-passed'),
      card('Coverage', t && t.coveragePercent !== null ? `${t.coveragePercent} %` : '—', 'gameday-total-coverage'),
      card('Healed / injected', t ? `${t.faultsHealed} / ${t.faultsInjected}` : '—', 'gameday-total-healed'),
      card('MTTR p50', mttr.p50Ms === null || mttr.p50Ms === undefined ? '—' : human(mttr.p50Ms), 'gameday-total-mttr')),
  ];
  if (g.report && g.report.stopped) out.push(h('p', { class: 'notice' }, `Stopped: ${g.report.stopped}`));
  if (g.report) out.push(htmlLink(`/api/drills/gamedays/${encodeURIComponent(g.id)}/report.html`, `${g.id}.html`));
  out.push(h('h3', {}, 'Drills'));
  out.push(runs.length ? h('table', {},
    h('thead', {}, h('tr', {}, ...['#', 'Drill', 'Mode', 'Status', 'Recovered in', 'Verdict'].map(x => h('th', {}, x)))),
    h('tbody', {}, ...runs.map((r, i) => h('tr', { class: 'clickable', testid: 'gameday-run-row', 'data-run-id': r.id, 'data-status': r.status,
      onclick: () => { location.hash = `#/drills/runs/${encodeURIComponent(r.id)}`; } },
      h('td', {}, String(i + 1)),
      h('td', {}, h('a', { href: `#/drills/runs/${encodeURIComponent(r.id)}`, onclick: e => e.stopPropagation() }, r.drill),
        h('div', { class: 'muted small' }, h('code', {}, r.id))),
      h('td', { class: 'small' }, r.report ? r.report.mode : ''),
      h('td', {}, badge(r.status)),
      h('td', {}, r.report && r.report.phases && r.report.phases.recoverMs !== null && r.report.phases.recoverMs !== undefined
        ? human(r.report.phases.recoverMs) : '—'),
      h('td', { class: 'small' }, r.report ? r.report.reason : (r.status === 'RUNNING' ? 'running…' : 'waiting')))))) 
    : h('p', { class: 'muted' }, g.status === 'QUEUED' ? 'Waiting for the drill before it: one thing runs at a time.' : 'No drill has run yet.'));
  out.push(progress(g));
  return out;
}
