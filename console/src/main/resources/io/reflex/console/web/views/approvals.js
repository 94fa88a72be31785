// #/approvals: actions waiting for a person's yes, and the kill switch.
import * as api from '../api.js';
import { h, time, badge } from '../dom.js';
import { guard, ask, refreshHeader } from '../app.js';

export function render(root) {
  const switchBox = h('div', { class: 'panel', testid: 'kill-switch' }, h('p', { class: 'muted' }, 'Loading…'));
  const queue = h('div', { testid: 'approval-queue' });
  const recent = h('div', { testid: 'recent-actions' });
  const message = h('div', { testid: 'approvals-message' });
  root.append(h('h2', {}, 'Approvals'), switchBox, message,
    h('h3', {}, 'Waiting for approval'), queue, h('h3', {}, 'Recent actions'), recent);

  // Rebuilt only when what they show changed: a button must not vanish under the pointer.
  let shownSwitch = null;
  let shownActions = null;

  async function loadSwitch() {
    const answer = await api.get('/api/guardrails');
    const signature = JSON.stringify([answer.status, answer.data && answer.data.paused]);
    if (signature === shownSwitch) return;
    shownSwitch = signature;
    if (!answer.ok) {
      switchBox.replaceChildren(h('p', { class: 'muted' }, `The kill switch is not available: ${api.describe(answer)}`));
      return;
    }
    const paused = Boolean(answer.data.paused);
    const button = guard(h('button', { type: 'button', class: paused ? 'ok' : 'danger', testid: paused ? 'resume' : 'pause' },
      paused ? 'Resume actions' : 'Pause all actions'), 'pause');
    button.addEventListener('click', async () => {
      const reason = await ask(paused
        ? { title: 'Resume executing actions?', text: 'Actions decided from now on run again.', ok: 'Resume', reason: true }
        : { title: 'Pause every action?', text: 'The kill switch: no action executes on any instance until someone resumes. Decisions are still recorded.',
          ok: 'Pause everything', danger: true, reason: true, placeholder: 'why (recorded with your name)' });
      if (reason === null) return;
      const done = await api.post(paused ? '/api/resume' : '/api/pause', { reason });
      message.replaceChildren(done.ok ? h('p', { class: 'success', testid: 'switch-ok' }, paused ? 'Resumed.' : 'Paused.')
        : h('p', { class: 'error', testid: 'switch-refused' }, `Refused (HTTP ${done.status}): ${api.describe(done)}`));
      shownSwitch = null;
      loadSwitch();
      refreshHeader();
    });
    switchBox.replaceChildren(h('div', { class: 'row' },
      h('b', {}, 'Kill switch: '), h('span', { testid: 'pause-state', 'data-paused': paused, class: paused ? 'bad' : 'good' },
        paused ? 'PAUSED: no action executes' : 'running: actions execute'), h('span', { class: 'spacer' }), button));
  }

  async function loadActions() {
    const answer = await api.get('/api/actions');
    const signature = JSON.stringify([answer.status, answer.data]);
    if (signature === shownActions) return;
    shownActions = signature;
    if (!answer.ok) {
      queue.replaceChildren(h('p', { class: 'muted' }, `Actions are not available: ${api.describe(answer)}`));
      recent.replaceChildren();
      return;
    }
    const all = Array.isArray(answer.data) ? answer.data : answer.data.items || [];
    const waiting = all.filter(a => a.status === 'AWAITING_APPROVAL');
    const others = all.filter(a => a.status !== 'AWAITING_APPROVAL').slice(-30).reverse();
    queue.replaceChildren(waiting.length ? table(waiting, true) : h('p', { class: 'muted', testid: 'approvals-empty' }, 'Nothing waits for approval.'));
    recent.replaceChildren(others.length ? table(others, false) : h('p', { class: 'muted' }, 'No recent actions.'));
  }

  function table(items, decide) {
    return h('table', {},
      h('thead', {}, h('tr', {}, ...['Action', 'Target', 'Rule', 'Incident', 'Status', decide ? '' : 'Decided'].map(t => h('th', {}, t)))),
      h('tbody', {}, ...items.map(a => {
        const cells = [
          h('td', {}, a.type, h('div', { class: 'muted small' }, h('code', {}, a.actionId))),
          h('td', {}, h('code', {}, a.target)),
          h('td', { class: 'small' }, a.rule),
          h('td', { class: 'small' }, h('a', { href: `#/incidents/${encodeURIComponent(a.incidentId)}` }, a.incidentId)),
          h('td', {}, badge(a.status), a.approval && a.approval.expiresAt && decide ? h('div', { class: 'muted small' }, `expires ${time(a.approval.expiresAt)}`) : null),
        ];
        if (decide) {
          const approve = guard(h('button', { type: 'button', class: 'ok', testid: 'approve' }, 'Approve'), 'approve');
          const reject = guard(h('button', { type: 'button', class: 'danger', testid: 'reject' }, 'Reject'), 'approve');
          approve.addEventListener('click', () => decideOn(a, 'approve'));
          reject.addEventListener('click', () => decideOn(a, 'reject'));
          cells.push(h('td', {}, h('div', { class: 'row' }, approve, reject)));
        } else {
          const ap = a.approval;
          cells.push(h('td', { class: 'small' }, ap && ap.decidedBy ? `${ap.state ? ap.state.toLowerCase() : ''} by ${ap.decidedBy}${ap.reason ? `: ${ap.reason}` : ''}` : ''));
        }
        return h('tr', { testid: decide ? 'approval-row' : 'action-row', 'data-action-id': a.actionId, 'data-status': a.status }, ...cells);
      })));
  }

  async function decideOn(a, verb) {
    const reason = await ask({ title: `${verb === 'approve' ? 'Approve' : 'Reject'} ${a.type} of ${a.target}?`,
      text: verb === 'approve' ? 'It executes right away (unless paused).' : 'It will not execute.',
      ok: verb === 'approve' ? 'Approve' : 'Reject', danger: verb === 'reject', reason: true, placeholder: 'reason (recorded with your name)' });
    if (reason === null) return;
    const done = await api.post(`/api/actions/${encodeURIComponent(a.actionId)}/${verb}`, { reason });
    message.replaceChildren(done.ok
      ? h('p', { class: 'success', testid: 'decision-ok' }, `${verb === 'approve' ? 'Approved' : 'Rejected'} ${a.type} of ${a.target}.`)
      : h('p', { class: 'error', testid: 'decision-refused' }, `Refused (HTTP ${done.status}): ${api.describe(done)}`));
    loadActions();
    refreshHeader();
  }

  const stop = api.stream('/api/stream', type => { if (type === 'incident') loadActions(); }, () => {});
  const timer = setInterval(() => { loadActions(); loadSwitch(); }, 3000);
  loadSwitch();
  loadActions();
  return () => { stop(); clearInterval(timer); };
}
