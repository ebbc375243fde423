// Administration: users, their devices, CSV import, status.
import {h, fill, errorBox} from '../dom.js';
import {get} from '../api.js';

export function users(view, app) {
  const error = errorBox('admin-error');
  fill(view, h('h1', null, 'Users'), error.el);
  get('/api/users').catch((e) => error.show(e.message));
}
export function devices(view, username, app) { fill(view, h('h1', null, 'Devices')); }
export function importCsv(view, app) { fill(view, h('h1', null, 'Import')); }
export function status(view, app) { fill(view, h('h1', null, 'Status')); }
