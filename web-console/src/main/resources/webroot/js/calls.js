// Click-to-call: POST /api/calls, then the outcome from the live channel, in the status bar.
import {post} from './api.js';

// The status bar has two parts: what the last click-to-call (or other notice) came to, and what
// the user's own phone is doing now, so that a quick hang-up does not hide how the call went.
const el = () => document.querySelector('[data-testid="call-status"]');
function part(name) {
  const bar = el();
  let span = bar.querySelector('.' + name);
  if (!span) {
    span = document.createElement('span');
    span.className = name;
    bar.append(span);
  }
  return span;
}
const OUTCOMES = {
  answered: 'Connected: you answered, now calling',
  'no-answer': 'Failed: your phone was not answered',
  busy: 'Failed: your phone is busy',
  failed: 'Failed',
};

export const callStatus = {
  show(text, kind) {
    const s = part('outcome');
    s.textContent = text;
    s.dataset.kind = kind || 'info';
    part('phone').textContent = '';
  },
  phone(text) {
    part('phone').textContent = text && part('outcome').textContent ? ' · ' + text : text;
  },
  info(text) { this.show(text, 'info'); },
  error(text) { this.show(text, 'error'); },
  clear() { this.show('', 'info'); },
};

const pending = new Map(); // call id → display name of the target
const early = new Map();   // call id → an outcome that came over the live channel before the 202 did

/** Starts a call to a username, extension or number; progress shows in the status bar. */
export async function call(to, label) {
  callStatus.info(`Calling ${label || to}: requesting…`);
  try {
    const queued = await post('/api/calls', {to});
    pending.set(queued.id, label || to);
    if (early.has(queued.id)) {
      showOutcome(early.get(queued.id)); // a phone that fails at once can beat the HTTP answer
      early.delete(queued.id);
    } else {
      callStatus.show(`Calling ${label || to}: ringing your phone…`, 'progress');
    }
  } catch (e) {
    callStatus.error(`Call to ${label || to} failed. ${e.message}`);
  }
}

function showOutcome(f) {
  const who = pending.get(f.id) || f.to;
  pending.delete(f.id);
  const base = OUTCOMES[f.outcome] || ('Call ' + f.outcome);
  const text = f.outcome === 'answered' ? `${base} ${who}.` : `Call to ${who}: ${base}${f.reason ? ' (' + f.reason + ')' : ''}.`;
  callStatus.show(text, f.outcome === 'answered' ? 'ok' : 'error');
}

/** Wires the live channel's call frames to the status bar. */
export function listen(app) {
  app.on('call', (f) => {
    if (pending.has(f.id)) {
      showOutcome(f);
    } else {
      early.set(f.id, f); // its 202 is on the way (or it was another tab's call: keep only a few)
      if (early.size > 20) early.delete(early.keys().next().value);
    }
  });
  app.on('call-state', (f) => {
    const peer = f.peer ? ' ' + f.peer : '';
    const words = {IN_CALL: `On the phone${peer ? ' with' + peer : ''}.`, RINGING: `Your phone is ringing${peer}.`,
      DIALING: `Dialling${peer}…`, ON_HOLD: 'Call on hold.', IDLE: 'Call ended.'};
    callStatus.phone(words[f.state] || '');
  });
}
