// #/rules: the active package and its versions, an editor validated as you type, tests,
// deploy (normal or shadow), diff, roll back, replay.
import * as api from '../api.js';
import { h, time, badge, debounce, isoFromLocal, localValue } from '../dom.js';
import { guard, ask } from '../app.js';
import { lineDiff, hunks } from './diff.js';

const VALIDATE_DELAY_MS = 400;
const TESTS_EXAMPLE = `tests:
  - name: restarts a service that is down
    alerts:
      - {at: 0s, name: ServiceDown, status: firing, labels: {service: shop}}
    expect:
      - {at: 0s, type: restart_service, target: service:shop}
`;

/** The editor's text and tests outlive a visit to another view (this tab only). */
const draft = { drl: null, tests: TESTS_EXAMPLE, loadedVersion: null, loadedText: null };

export function render(root) {
  let listing = null;
  let valid = null; // true, false, or null while unknown
  let seq = 0;
  let errors = [];
  let stopped = false;
  let fillDiffChoices = () => {}; // set by the diff pane once built

  // --- versions -------------------------------------------------------------------------
  const versionsBox = h('div', { testid: 'rule-versions' }, h('p', { class: 'muted' }, 'Loading versions…'));
  const activeText = h('span', { testid: 'active-version' }, '…');
  const shadowBox = h('span', { testid: 'shadow-state' });

  // --- editor ---------------------------------------------------------------------------
  const gutter = h('div', { class: 'gutter', testid: 'gutter', 'aria-hidden': 'true' });
  const textarea = h('textarea', { class: 'code', testid: 'rule-editor', spellcheck: 'false', wrap: 'off',
    'aria-label': 'DRL rule package' });
  const editor = h('div', { class: 'editor', testid: 'editor' }, gutter, textarea);
  const validity = h('span', { class: 'validity muted', testid: 'validity' }, '');
  const errorList = h('ul', { class: 'errors', testid: 'rule-errors' });
  const deployResult = h('div', { testid: 'deploy-result' });
  const deployBtn = h('button', { type: 'button', testid: 'deploy' }, 'Deploy');
  const shadowBtn = h('button', { type: 'button', class: 'ghost', testid: 'deploy-shadow' }, 'Deploy in shadow');
  const loadedText = h('span', { class: 'muted small', testid: 'editor-source' });

  root.append(
    h('div', { class: 'row' }, h('h2', {}, 'Rules'), h('span', { class: 'muted' }, 'active version '), activeText, shadowBox),
    h('div', { class: 'layout-2 wide' },
      h('section', {},
        h('div', { class: 'row' }, h('h3', {}, 'Editor'), loadedText, h('span', { class: 'spacer' }), validity),
        editor, errorList,
        h('div', { class: 'row' }, deployBtn, shadowBtn, h('span', { class: 'muted small' },
          'Deploy is enabled once the package validates.')),
        deployResult),
      h('section', {}, h('h3', {}, 'Versions'), versionsBox)),
    tabs());

  function setText(text, source) {
    textarea.value = text;
    draft.drl = text;
    loadedText.textContent = source;
    renderGutter();
    validateSoon.now();
  }

  function renderGutter() {
    const lines = textarea.value.split('\n').length;
    const byLine = new Map();
    for (const e of errors) {
      if (e.line > 0) byLine.set(e.line, [...(byLine.get(e.line) || []), e]);
    }
    const rows = [];
    for (let n = 1; n <= lines; n++) {
      const errs = byLine.get(n);
      rows.push(errs
        ? h('div', { class: 'err', 'data-line': n, testid: 'gutter-error', title: errs.map(e => e.message).join('\n') }, n)
        : h('div', { 'data-line': n }, n));
    }
    gutter.replaceChildren(...rows);
    gutter.scrollTop = textarea.scrollTop;
  }

  function showErrors(list) {
    errors = list || [];
    editor.classList.toggle('invalid', errors.length > 0);
    errorList.replaceChildren(...errors.map(e => h('li', { testid: 'rule-error', 'data-line': e.line ?? '', 'data-column': e.column ?? '',
      onclick: () => goTo(e.line) }, `${e.line > 0 ? e.line : '?'}:${e.column >= 0 ? e.column : '?'} ${e.message}`)));
    renderGutter();
  }

  function goTo(line) {
    if (!(line > 0)) return;
    const lines = textarea.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1] || '').length);
    textarea.scrollTop = Math.max(0, (line - 5) * 18);
  }

  function updateDeployButtons() {
    const why = valid === true ? null
      : valid === false ? 'The package has errors: fix them to deploy'
        : 'Validating…';
    guard(deployBtn, 'deploy', why);
    guard(shadowBtn, 'deploy', why);
  }

  async function validate() {
    const mine = ++seq;
    const text = textarea.value;
    if (!text.trim()) {
      valid = false;
      validity.textContent = 'empty';
      validity.className = 'validity muted';
      showErrors([]);
      updateDeployButtons();
      return;
    }
    validity.textContent = 'validating…';
    validity.className = 'validity muted';
    const answer = await api.post('/api/rules/validate', text);
    if (mine !== seq || stopped) return; // a newer edit is on its way
    if (answer.ok) {
      valid = true;
      validity.textContent = '✓ valid';
      validity.className = 'validity good';
      showErrors([]);
    } else if (answer.status === 422) {
      valid = false;
      const list = answer.data.errors || [];
      validity.textContent = `✗ ${list.length} error${list.length === 1 ? '' : 's'}`;
      validity.className = 'validity bad';
      showErrors(list);
    } else {
      valid = null;
      validity.textContent = `cannot validate: ${api.describe(answer)}`;
      validity.className = 'validity warn';
    }
    validity.dataset.state = valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown';
    updateDeployButtons();
  }
  const debounced = debounce(validate, VALIDATE_DELAY_MS);
  const validateSoon = Object.assign(() => debounced(), { now: validate });

  textarea.addEventListener('input', () => {
    draft.drl = textarea.value;
    valid = null;
    validity.textContent = 'edited…';
    validity.dataset.state = 'unknown';
    updateDeployButtons();
    renderGutter();
    validateSoon();
  });
  textarea.addEventListener('scroll', () => { gutter.scrollTop = textarea.scrollTop; });
  textarea.addEventListener('keydown', e => {
    if (e.key === 'Tab' && !e.shiftKey) { // indent instead of leaving the editor
      e.preventDefault();
      textarea.setRangeText('    ', textarea.selectionStart, textarea.selectionEnd, 'end');
      textarea.dispatchEvent(new Event('input'));
    }
  });

  async function deploy(shadow) {
    const ok = await ask({ title: shadow ? 'Deploy in shadow?' : 'Deploy this package?',
      text: shadow ? 'It runs beside the active version; its actions are only recorded.'
        : 'It becomes the active version on every instance: new alerts are decided by it.', ok: 'Deploy' });
    if (ok === null) return;
    deployBtn.disabled = shadowBtn.disabled = true;
    deployResult.replaceChildren(h('p', { class: 'muted' }, 'Deploying…'));
    const answer = await api.post(`/api/rules${shadow ? '?shadow=true' : ''}`, textarea.value);
    if (answer.ok) {
      deployResult.replaceChildren(h('p', { class: 'success', testid: 'deploy-ok' },
        `Deployed as version ${answer.data.version}${shadow ? ' in shadow' : ''}.`, answer.data.note ? ` ${answer.data.note}` : ''));
      loadVersions();
    } else {
      if (answer.status === 422) showErrors(answer.data.errors || []);
      deployResult.replaceChildren(h('p', { class: 'error', testid: 'deploy-refused' },
        `Not deployed (HTTP ${answer.status}): ${answer.status === 422 ? 'the package does not compile.' : api.describe(answer)}`));
    }
    updateDeployButtons();
  }
  deployBtn.addEventListener('click', () => deploy(false));
  shadowBtn.addEventListener('click', () => deploy(true));

  async function loadVersions() {
    const answer = await api.get('/api/rules');
    if (!answer.ok) {
      versionsBox.replaceChildren(h('p', { class: 'muted' }, `Versions are not available: ${api.describe(answer)}`));
      activeText.textContent = '?';
      return null;
    }
    listing = answer.data;
    activeText.replaceChildren(h('b', {}, `v${listing.active}`));
    shadowBox.replaceChildren();
    if (listing.shadow !== null && listing.shadow !== undefined) {
      const promote = guard(h('button', { type: 'button', testid: 'shadow-promote' }, 'Promote'), 'deploy');
      const stop = guard(h('button', { type: 'button', class: 'ghost', testid: 'shadow-stop' }, 'Stop shadow'), 'deploy');
      promote.addEventListener('click', () => lifecycle('Promote the shadow version?', 'It becomes the active version.', 'POST', '/api/rules/shadow/promote'));
      stop.addEventListener('click', () => lifecycle('Stop the shadow version?', 'It stops running beside the active one.', 'DELETE', '/api/rules/shadow'));
      shadowBox.append(' · ', badge(`v${listing.shadow} in shadow`, 'warn'), ' ', promote, ' ', stop);
    }
    const versions = [...(listing.versions || [])].sort((a, b) => b.version - a.version);
    versionsBox.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ...['Version', 'Deployed', 'By', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, ...versions.map(v => {
        const open = h('button', { type: 'button', class: 'ghost', testid: 'version-open' }, 'Open');
        open.addEventListener('click', () => openVersion(v.version));
        const back = guard(h('button', { type: 'button', class: 'ghost', testid: 'version-rollback' }, 'Roll back'), 'deploy',
          v.version === listing.active ? 'This is the active version' : null);
        back.addEventListener('click', () => lifecycle(`Roll back to version ${v.version}?`,
          'It becomes the active version on every instance.', 'POST', `/api/rules/rollback/${v.version}`));
        return h('tr', { testid: 'version-row', 'data-version': v.version },
          h('td', {}, h('b', {}, `v${v.version}`), ' ', v.version === listing.active ? badge('active', 'good') : '',
            v.shadow || v.version === listing.shadow ? badge('shadow', 'warn') : ''),
          h('td', { class: 'small' }, time(v.deployedAt)), h('td', { class: 'small' }, v.author || ''),
          h('td', {}, open, back));
      }))));
    fillDiffChoices(versions);
    return listing;
  }

  async function lifecycle(title, text, method, path) {
    if ((await ask({ title, text, ok: 'Yes', danger: true })) === null) return;
    const answer = await api.call(method, path);
    deployResult.replaceChildren(answer.ok
      ? h('p', { class: 'success', testid: 'lifecycle-ok' }, `Done: ${JSON.stringify(answer.data)}`)
      : h('p', { class: 'error', testid: 'lifecycle-refused' }, `Refused (HTTP ${answer.status}): ${api.describe(answer)}`));
    loadVersions();
  }

  async function fetchDrl(version) {
    const answer = await api.get(`/api/rules/${version}`);
    return answer.ok ? { drl: answer.data.drl } : { error: api.describe(answer) };
  }

  async function openVersion(version) {
    if (draft.drl && draft.drl !== draft.loadedText
      && (await ask({ title: `Replace the editor's text with version ${version}?`, text: 'Your edits are lost.', ok: 'Replace' })) === null) {
      return;
    }
    const got = await fetchDrl(version);
    if (got.error) {
      deployResult.replaceChildren(h('p', { class: 'notice' }, `The text of version ${version} is not available: ${got.error}`));
      return;
    }
    draft.loadedVersion = version;
    draft.loadedText = got.drl;
    setText(got.drl, `version ${version}`);
  }

  // --- tabs: tests, diff, replay ----------------------------------------------------------
  function tabs() {
    const panes = { tests: testsPane(), diff: diffPane(), replay: replayPane() };
    const bar = h('div', { class: 'tabs', role: 'tablist' });
    const holder = h('div', {});
    const show = name => {
      bar.querySelectorAll('button').forEach(b => b.classList.toggle('active', b.dataset.tab === name));
      holder.replaceChildren(panes[name]);
    };
    for (const [name, label] of [['tests', 'Run tests'], ['diff', 'Diff versions'], ['replay', 'Replay']]) {
      bar.append(h('button', { type: 'button', 'data-tab': name, testid: `tab-${name}`, onclick: () => show(name) }, label));
    }
    show('tests');
    return h('section', {}, bar, holder);
  }

  function testsPane() {
    const tests = h('textarea', { class: 'code', rows: 10, style: 'width:100%', testid: 'tests-yaml', spellcheck: 'false', wrap: 'off' });
    tests.value = draft.tests;
    tests.addEventListener('input', () => { draft.tests = tests.value; });
    const out = h('div', { testid: 'tests-result' });
    const run = h('button', { type: 'button', testid: 'tests-run' }, 'Run tests against the editor');
    run.addEventListener('click', async () => {
      out.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
      const answer = await api.post('/api/rules/test', { drl: textarea.value, tests: tests.value });
      if (answer.ok) {
        const d = answer.data;
        out.replaceChildren(h('p', { class: d.failed ? 'error' : 'success', testid: 'tests-summary' }, `${d.passed} passed, ${d.failed} failed`),
          h('ul', {}, ...(d.results || []).map(r => h('li', { testid: 'test-result', 'data-passed': r.passed },
            badge(r.passed ? 'PASS' : 'FAIL', r.passed ? 'good' : 'bad'), ' ', r.name, r.message ? h('div', { class: 'muted small' }, r.message) : ''))));
      } else if (answer.status === 422) {
        showErrors(answer.data.errors || []);
        out.replaceChildren(h('p', { class: 'error' }, 'The package does not compile: see the errors above.'));
      } else {
        out.replaceChildren(h('p', { class: answer.missing ? 'muted' : 'error', testid: 'tests-unavailable' },
          answer.missing ? 'Running tests is not available on this server.' : api.describe(answer)));
      }
    });
    return h('div', {}, h('p', { class: 'muted small' }, 'Tests in the rule-test YAML format (docs/rules.md, "Rule tests"); they run against the package in the editor, nothing is deployed.'),
      tests, h('div', { class: 'row' }, run), out);
  }

  function diffPane() {
    const a = h('select', { testid: 'diff-from' });
    const b = h('select', { testid: 'diff-to' });
    const out = h('div', { testid: 'diff-result' });
    fillDiffChoices = versions => {
      const options = () => versions.map(v => h('option', { value: v.version }, `v${v.version}`));
      a.replaceChildren(...options());
      b.replaceChildren(h('option', { value: 'editor' }, 'the editor'), ...options());
      if (versions.length > 1) a.value = String(versions[1].version);
      b.value = listing ? String(listing.active) : 'editor';
    };
    const go = h('button', { type: 'button', testid: 'diff-show' }, 'Show diff');
    go.addEventListener('click', async () => {
      out.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
      const left = await fetchDrl(a.value);
      const right = b.value === 'editor' ? { drl: textarea.value } : await fetchDrl(b.value);
      if (left.error || right.error) {
        out.replaceChildren(h('p', { class: 'muted' }, `Versions' text is not available: ${left.error || right.error}`));
        return;
      }
      const ops = lineDiff(left.drl, right.drl);
      const added = ops.filter(o => o.op === '+').length;
      const removed = ops.filter(o => o.op === '-').length;
      out.replaceChildren(h('p', { class: 'small', testid: 'diff-summary' }, `${added} line(s) added, ${removed} removed`),
        h('pre', { class: 'diff' }, ...hunks(ops).map(o => o.op === '…'
          ? h('span', { class: 'same', testid: 'diff-skip' }, `  … ${o.count} unchanged line${o.count === 1 ? '' : 's'} …`)
          : h('span', { class: o.op === '+' ? 'add' : o.op === '-' ? 'del' : 'same', testid: `diff-${o.op === '+' ? 'add' : o.op === '-' ? 'del' : 'same'}` },
            `${o.op} ${o.text}`))));
    });
    return h('div', {}, h('div', { class: 'row' }, h('label', {}, 'From', a), h('label', {}, 'To', b), go), out);
  }

  function replayPane() {
    const now = new Date();
    const from = h('input', { type: 'datetime-local', step: 1, testid: 'replay-from', value: localValue(new Date(now - 3600e3)) });
    const to = h('input', { type: 'datetime-local', step: 1, testid: 'replay-to', value: localValue(new Date(now.getTime() + 60e3)) });
    const out = h('div', { testid: 'replay-result' });
    const go = h('button', { type: 'button', testid: 'replay-run' }, 'Replay the editor\'s package');
    go.addEventListener('click', async () => {
      out.replaceChildren(h('p', { class: 'muted' }, 'Replaying the recorded alerts…'));
      const q = new URLSearchParams({ from: isoFromLocal(from.value), to: isoFromLocal(to.value) });
      const answer = await api.post(`/api/rules/replay?${q}`, textarea.value);
      if (!answer.ok) {
        if (answer.status === 422) showErrors(answer.data.errors || []);
        out.replaceChildren(h('p', { class: answer.missing ? 'muted' : 'error' }, answer.missing ? 'Replay is not available on this server.' : api.describe(answer)));
        return;
      }
      const r = answer.data;
      const s = r.summary || {};
      const dec = d => `${d.type} ${d.target} (${d.rule})`;
      out.replaceChildren(
        h('p', { testid: 'replay-summary' }, `${r.alertsRead} alerts read: `, badge(`${s.same} same`, 'good'), ' ',
          badge(`${s.onlyActual} only actual`, s.onlyActual ? 'bad' : 'muted'), ' ', badge(`${s.onlyCandidate} only candidate`, s.onlyCandidate ? 'warn' : 'muted')),
        h('table', {}, h('thead', {}, h('tr', {}, ...['Alert', 'Resource', 'Actual', 'Candidate'].map(t => h('th', {}, t)))),
          h('tbody', {}, ...(r.rows || []).map(row => {
            const same = JSON.stringify(row.actual.map(dec).sort()) === JSON.stringify(row.candidate.map(dec).sort());
            return h('tr', { testid: 'replay-row', class: same ? '' : 'warn' },
              h('td', {}, row.alertName), h('td', {}, h('code', {}, row.resource)),
              h('td', { class: 'small' }, row.actual.map(dec).join('; ') || '—'),
              h('td', { class: 'small' }, row.candidate.map(dec).join('; ') || '—'));
          }))),
        (r.failures || []).length ? h('p', { class: 'error' }, 'Failures: ', r.failures.join('; ')) : null,
        (r.unattributed || []).length ? h('p', { class: 'muted small' }, `${r.unattributed.length} recorded action(s) answered alerts before the range and were not compared.`) : null);
    });
    return h('div', {}, h('p', { class: 'muted small' }, 'What the package in the editor would have done with the alerts recorded in a time range, next to what was done.'),
      h('div', { class: 'row' }, h('label', {}, 'From', from), h('label', {}, 'To', to), go), out);
  }

  // --- start ------------------------------------------------------------------------------
  updateDeployButtons();
  (async () => {
    const l = await loadVersions();
    if (draft.drl !== null) {
      setText(draft.drl, draft.loadedVersion !== null ? `version ${draft.loadedVersion} (edited)` : 'your draft');
      return;
    }
    if (l) {
      const got = await fetchDrl(l.active);
      if (!got.error) {
        draft.loadedVersion = l.active;
        draft.loadedText = got.drl;
        setText(got.drl, `version ${l.active} (active)`);
        return;
      }
      loadedText.textContent = `the active version's text is not available (${got.error}): paste a package`;
    }
    setText('', loadedText.textContent);
  })();

  return () => { stopped = true; };
}
