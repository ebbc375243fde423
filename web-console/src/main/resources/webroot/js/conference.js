// A room's conference call: the "Call everyone" button and who is in the call, live.
import {h, fill} from './dom.js';
import {get, post, q} from './api.js';

/** The room page's conference bar; returns {el, off} (off stops listening). */
export function conferenceBar(name, app) {
  const members = h('span', {class: 'conference-members', testid: 'conference', 'aria-live': 'polite'});
  const outcome = h('span', {class: 'conference-outcome muted', testid: 'conference-outcome'});
  const button = h('button', {type: 'button', class: 'call', testid: 'room-call', onclick: start}, 'Call everyone');
  const el = h('div', {class: 'conference'}, button, members, outcome);

  function show(c) {
    members.dataset.active = c && c.active ? 'true' : 'false';
    fill(members, c && c.active ? 'In the call: ' + c.members.join(', ') : '');
  }

  async function start() {
    button.disabled = true;
    try {
      const r = await post('/api/rooms/' + q(name) + '/call', {});
      fill(outcome, (r.rung.length ? 'Ringing: ' + r.rung.join(', ') : 'Nobody rung')
        + (r.asked.length ? ' · Asked in the room: ' + r.asked.join(', ') : '')
        + ' · Conference number ' + r.extension);
    } catch (err) {
      fill(outcome, err.message);
    } finally {
      button.disabled = false;
    }
  }

  get('/api/rooms/' + q(name)).then((room) => show(room.conference), () => show(null));
  const off = app.on('conference', (f) => f.room === name && show(f));
  return {el, off};
}
