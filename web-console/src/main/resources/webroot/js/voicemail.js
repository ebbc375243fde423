// Voicemail waiting next to one's own state: the count from GET /api/me/voicemail, then live frames.
import {h} from './dom.js';
import {get} from './api.js';

let badge = null;

function show(v) {
  const fresh = (v && v.new) || 0;
  badge.dataset.new = String(fresh);
  badge.textContent = fresh ? `${fresh} new voicemail${fresh === 1 ? '' : 's'}` : '';
  badge.hidden = !fresh;
}

/** Once per session, after login. */
export function watchVoicemail(app) {
  if (!badge) {
    badge = h('span', {class: 'voicemail', testid: 'voicemail', role: 'status', hidden: true});
    document.getElementById('me-form').append(badge);
    app.on('voicemail', show);
    app.on('catch-up', () => refresh());
  }
  refresh();
}

function refresh() {
  get('/api/me/voicemail').then(show, () => show(null));
}
