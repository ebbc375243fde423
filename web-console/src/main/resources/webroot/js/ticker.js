// The news ticker along the top: the current broadcasts for this user, live over the live channel,
// each dismissable for good (the server remembers it per user, on every console of theirs).
import {h, fill, time} from './dom.js';
import {get, post, q} from './api.js';

export function startTicker(el, app) {
  const notices = new Map(); // id → broadcast
  const timers = new Map();  // id → the timeout that hides it when it expires

  function show() {
    const items = [...notices.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    el.hidden = items.length === 0;
    fill(el, items.map((b) => h('div', {class: 'notice-item', testid: 'ticker-item-' + b.id, role: 'status'},
      h('span', {class: 'ticker-text', testid: 'ticker-text'}, b.text),
      h('span', {class: 'muted'}, ' — ' + b.from + ', ' + time(b.createdAt)),
      h('button', {type: 'button', class: 'dismiss', testid: 'ticker-dismiss-' + b.id, 'aria-label': 'Dismiss this notice',
        onclick: () => dismiss(b.id)}, '×'))));
  }

  function add(b) {
    if (b.dismissed || (b.expiresAt && Date.parse(b.expiresAt) <= Date.now())) return;
    notices.set(b.id, b);
    clearTimeout(timers.get(b.id));
    if (b.expiresAt) {
      // At most a day ahead: a timeout does not hold longer delays; a reload or catch-up covers the rest.
      timers.set(b.id, setTimeout(() => remove(b.id), Math.min(Date.parse(b.expiresAt) - Date.now(), 86400000)));
    }
  }

  function remove(id) {
    clearTimeout(timers.get(id));
    timers.delete(id);
    if (notices.delete(id)) show();
  }

  async function dismiss(id) {
    remove(id);
    try { await post('/api/broadcasts/' + q(id) + '/dismiss'); } catch (e) { /* gone already, or shown again on reload */ }
  }

  async function load() {
    try {
      const list = (await get('/api/broadcasts')).broadcasts;
      notices.clear();
      list.forEach(add);
      show();
    } catch (e) { /* the ticker stays as it was */ }
  }

  const offs = [
    app.on('broadcast', (f) => { add(f.broadcast); show(); }),
    app.on('broadcast-gone', (f) => remove(f.id)),
    app.on('catch-up', load),
  ];
  load();
  return () => {
    offs.forEach((off) => off());
    timers.forEach((t) => clearTimeout(t));
    notices.clear();
    el.hidden = true;
    fill(el);
  };
}
