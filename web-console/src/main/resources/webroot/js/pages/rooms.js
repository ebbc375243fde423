// Chat rooms: the user's rooms (every room for an administrator), create, open, delete.
import {h, fill, errorBox, field} from '../dom.js';
import {get, post, del, q} from '../api.js';

export function render(view, app) {
  const list = h('ul', {class: 'rooms', testid: 'room-list'});
  const error = errorBox('rooms-error');
  const name = h('input', {required: true, testid: 'room-name', pattern: '[a-z0-9][a-z0-9-]*', autocapitalize: 'none',
    title: 'lower-case letters, digits and dashes'});
  const members = h('input', {testid: 'room-members', placeholder: 'bob, carol', autocapitalize: 'none'});
  const form = h('form', {class: 'card', 'aria-label': 'Create a room'}, h('h2', null, 'New room'),
    field('Name', name), field('Members (comma-separated)', members),
    h('button', {type: 'submit', testid: 'room-create'}, 'Create'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    try {
      const list = members.value.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
      await post('/api/rooms', {name: name.value.trim(), members: list});
      name.value = '';
      members.value = '';
      load();
    } catch (err) {
      error.show(err.message);
    }
  });
  fill(view, h('h1', null, 'Rooms'), error.el, list, form);

  async function load() {
    try {
      const rooms = (await get('/api/rooms')).rooms;
      fill(list, rooms.length === 0 ? h('li', {class: 'muted'}, 'No rooms yet.') : null, rooms.map((r) => {
        const unread = app.unread['room-' + r.name] || 0;
        return h('li', {testid: 'room-' + r.name},
          h('a', {href: '#/room/' + q(r.name)}, '# ' + r.name),
          unread ? h('span', {class: 'unread'}, unread) : null,
          h('span', {class: 'muted'}, (r.members || []).join(', ')),
          h('button', {type: 'button', class: 'remove', testid: 'room-delete-' + r.name, onclick: async () => {
            if (!confirm(`Delete the room ${r.name} and its place in everyone's list?`)) return;
            try { await del('/api/rooms/' + q(r.name)); load(); } catch (err) { error.show(err.message); }
          }}, 'Delete'));
      }));
    } catch (err) {
      error.show(err.message);
    }
  }
  load();
  const offs = [app.on('unread', load), app.on('catch-up', load)];
  return () => offs.forEach((off) => off());
}
