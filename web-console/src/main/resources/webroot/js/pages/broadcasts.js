// Broadcasts, for administrators and broadcasters: write a notice (text, audience, expiry), and
// withdraw or replace the current ones. The server decides who may (403 otherwise).
import {h, fill, errorBox, field, time} from '../dom.js';
import {get, post, del, q} from '../api.js';

export function render(view, app) {
  const error = errorBox('broadcast-error');
  const list = h('ul', {class: 'broadcasts', testid: 'broadcast-list'});
  const text = h('textarea', {required: true, testid: 'broadcast-text', rows: 3, maxlength: 2000});
  const audience = h('select', {testid: 'broadcast-audience'},
    h('option', {value: 'all'}, 'Everyone'), h('option', {value: 'group'}, 'A group (a room\'s members)'),
    h('option', {value: 'users'}, 'These users'));
  const names = h('input', {testid: 'broadcast-names', placeholder: 'sales, or: bob, carol', autocapitalize: 'none'});
  const expires = h('input', {type: 'datetime-local', testid: 'broadcast-expires'});
  let replaces = null;
  const replacing = h('p', {class: 'muted', testid: 'broadcast-replacing', hidden: true});
  const form = h('form', {class: 'card', 'aria-label': 'New broadcast'}, h('h2', null, 'New broadcast'),
    field('Text', text), field('To', audience), field('Group or usernames', names), field('Expires (optional)', expires),
    replacing, h('button', {type: 'submit', testid: 'broadcast-send'}, 'Send'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    const words = names.value.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
    const to = audience.value === 'all' ? 'all' : audience.value === 'group' ? {group: words[0] || ''} : words;
    const body = {text: text.value.trim(), to};
    if (expires.value) body.expiresAt = new Date(expires.value).toISOString();
    if (replaces) body.replaces = replaces;
    try {
      await post('/api/broadcasts', body);
      text.value = '';
      names.value = '';
      expires.value = '';
      replace(null);
      load();
    } catch (err) {
      error.show(err.message);
    }
  });

  function replace(b) {
    replaces = b ? b.id : null;
    replacing.hidden = !b;
    replacing.textContent = b ? 'Replaces: ' + b.text : '';
    if (b) text.focus();
  }

  function audienceOf(b) {
    return b.to.kind === 'all' ? 'everyone' : b.to.kind === 'group' ? 'group ' + b.to.group : (b.to.users || []).join(', ');
  }

  async function load() {
    try {
      const current = (await get('/api/broadcasts')).broadcasts;
      fill(list, current.length === 0 ? h('li', {class: 'muted'}, 'No current broadcasts.') : null, current.map((b) =>
        h('li', {testid: 'broadcast-' + b.id},
          h('strong', null, b.text), ' ',
          h('span', {class: 'muted'}, 'to ' + audienceOf(b) + ', by ' + b.from + ', ' + time(b.createdAt)
            + (b.expiresAt ? ', until ' + time(b.expiresAt) : '')), ' ',
          h('button', {type: 'button', testid: 'broadcast-replace-' + b.id, onclick: () => replace(b)}, 'Replace'),
          h('button', {type: 'button', class: 'remove', testid: 'broadcast-withdraw-' + b.id, onclick: async () => {
            try { await del('/api/broadcasts/' + q(b.id)); load(); } catch (err) { error.show(err.message); }
          }}, 'Withdraw'))));
    } catch (err) {
      error.show(err.message);
    }
  }
  fill(view, h('h1', null, 'Broadcasts'), error.el, list, form);
  load();
  const offs = [app.on('broadcast', load), app.on('broadcast-gone', load), app.on('catch-up', load)];
  return () => offs.forEach((off) => off());
}
