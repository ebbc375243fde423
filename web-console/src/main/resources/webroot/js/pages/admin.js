// Administration: users (create, edit, disable, delete, reset passwords), their devices, CSV import,
// and the status of the links. Every request is checked by the server (403 for non-admins): these
// pages only show what it answers, in words.
import {h, fill, errorBox, field, safeLink, time} from '../dom.js';
import {api, get, post, put, patch, del, q} from '../api.js';
import {lineChart} from '../charts.js';

function notice(testid = 'admin-notice') {
  const el = h('p', {class: 'notice', role: 'status', testid, hidden: true});
  return {el, show(text) { el.textContent = text; el.hidden = false; }, clear() { el.hidden = true; }};
}

export function users(view, app) {
  const error = errorBox('admin-error');
  const done = notice();
  const table = h('tbody');
  const editor = h('div');

  const f = {
    username: h('input', {required: true, testid: 'user-new-username', autocapitalize: 'none'}),
    displayName: h('input', {testid: 'user-new-display-name'}),
    extension: h('input', {testid: 'user-new-extension', inputmode: 'numeric'}),
    password: h('input', {type: 'password', required: true, testid: 'user-new-password', autocomplete: 'new-password'}),
    sipPassword: h('input', {type: 'password', testid: 'user-new-sip-password', autocomplete: 'new-password'}),
    role: h('select', {testid: 'user-new-role'}, h('option', {value: 'user'}, 'user'), h('option', {value: 'admin'}, 'admin'),
      h('option', {value: 'broadcaster'}, 'broadcaster')),
  };
  const create = h('form', {class: 'card grid-form', 'aria-label': 'New user'},
    field('Username', f.username), field('Display name', f.displayName), field('Extension', f.extension),
    field('Web password', f.password), field('SIP password', f.sipPassword), field('Role', f.role),
    h('button', {type: 'submit', testid: 'user-create'}, 'Create user'));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {username: f.username.value.trim(), password: f.password.value, role: f.role.value};
    for (const k of ['displayName', 'extension', 'sipPassword']) if (f[k].value.trim()) body[k] = f[k].value.trim();
    await act(() => post('/api/users', body), `Created ${body.username}.`);
    if (!error.el.hidden) return;
    Object.values(f).forEach((i) => { if (i.tagName === 'INPUT') i.value = ''; });
  });

  fill(view, h('h1', null, 'Users'),
    h('p', null, h('a', {href: '#/admin/import'}, 'Import users and devices from CSV'), ' · ',
      h('a', {href: '#/admin/status'}, 'Status'), ' · ', h('a', {href: '#/rooms'}, 'Rooms')),
    error.el, done.el,
    h('div', {class: 'table-wrap'}, h('table', {testid: 'user-table'},
      h('thead', null, h('tr', null, ['Username', 'Name', 'Extension', 'Role', 'Account', ''].map((t) => h('th', null, t)))),
      table)),
    editor, h('h2', null, 'New user'), create);

  async function act(request, success) {
    error.clear();
    done.clear();
    try {
      await request();
      done.show(success);
      await load();
    } catch (err) {
      error.show(err.message);
    }
  }

  function row(u) {
    return h('tr', {testid: 'user-' + u.username},
      h('td', null, u.username), h('td', null, u.displayName || ''), h('td', null, u.extension || ''),
      h('td', null, u.role), h('td', {testid: 'user-enabled-' + u.username}, u.enabled ? 'enabled' : 'disabled'),
      h('td', {class: 'actions'},
        h('button', {type: 'button', testid: 'user-edit-' + u.username, onclick: () => edit(u)}, 'Edit'), ' ',
        h('a', {href: '#/admin/devices/' + q(u.username), testid: 'user-devices-' + u.username}, 'Devices'), ' ',
        h('button', {type: 'button', testid: 'user-link-' + u.username, onclick: () => passwordLink(u)}, 'Password link'), ' ',
        h('button', {type: 'button', testid: 'user-toggle-' + u.username,
          onclick: () => act(() => patch('/api/users/' + q(u.username), {enabled: !u.enabled}),
            `${u.username} is now ${u.enabled ? 'disabled' : 'enabled'}.`)}, u.enabled ? 'Disable' : 'Enable'), ' ',
        h('button', {type: 'button', class: 'remove', testid: 'user-delete-' + u.username, onclick: () => {
          if (confirm(`Delete ${u.username}? Their phones are unregistered at once.`)) {
            act(() => del('/api/users/' + q(u.username)), `Deleted ${u.username}.`);
          }
        }}, 'Delete')));
  }

  /** A one-time link for the user to choose a web password (imported without one, or forgotten): shown once, to pass on. */
  async function passwordLink(u) {
    error.clear();
    done.clear();
    try {
      const link = await post('/api/users/' + q(u.username) + '/password-link');
      const url = h('input', {readonly: true, value: link.url, testid: 'user-link-url', size: 60});
      fill(editor, h('div', {class: 'card'}, h('h2', null, 'Password link for ' + u.username),
        h('p', null, 'Give this link to ' + u.username + ' only. It sets a password once, until '
          + new Date(link.expiresAt).toLocaleString() + '; a new link replaces it.'), url,
        h('button', {type: 'button', onclick: () => fill(editor)}, 'Close')));
      url.select();
    } catch (err) {
      error.show(err.message);
    }
  }

  function edit(u) {
    const e = {
      displayName: h('input', {value: u.displayName || '', testid: 'user-edit-display-name'}),
      extension: h('input', {value: u.extension || '', testid: 'user-edit-extension', inputmode: 'numeric'}),
      role: h('select', {testid: 'user-edit-role'}, ['user', 'admin', 'broadcaster'].map((r) => h('option', {value: r, selected: r === u.role}, r))),
      password: h('input', {type: 'password', testid: 'user-edit-password', autocomplete: 'new-password',
        placeholder: 'unchanged'}),
      sipPassword: h('input', {type: 'password', testid: 'user-edit-sip-password', autocomplete: 'new-password',
        placeholder: 'unchanged'}),
      email: h('input', {type: 'email', value: u.email || '', testid: 'user-edit-email', autocomplete: 'off'}),
      notifyMissed: h('input', {type: 'checkbox', checked: !!u.notifyMissed, testid: 'user-edit-notify-missed'}),
    };
    const form = h('form', {class: 'card grid-form', 'aria-label': 'Edit ' + u.username},
      h('h2', null, 'Edit ' + u.username), field('Display name', e.displayName), field('Extension (empty: none)', e.extension),
      field('Role', e.role), field('New web password', e.password), field('New SIP password', e.sipPassword),
      field('E-mail (empty: none)', e.email), field('E-mail me about missed messages', e.notifyMissed),
      h('button', {type: 'submit', testid: 'user-save'}, 'Save'),
      h('button', {type: 'button', onclick: () => fill(editor)}, 'Cancel'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {displayName: e.displayName.value.trim() || u.username, role: e.role.value,
        extension: e.extension.value.trim() || null, email: e.email.value.trim() || null,
        notifyMissed: e.notifyMissed.checked};
      if (e.password.value) body.password = e.password.value;
      if (e.sipPassword.value) body.sipPassword = e.sipPassword.value;
      await act(() => patch('/api/users/' + q(u.username), body), `Saved ${u.username}.`);
      if (error.el.hidden) fill(editor);
    });
    fill(editor, form);
    e.displayName.focus();
  }

  async function load() {
    try {
      const list = await get('/api/users');
      fill(table, (Array.isArray(list) ? list : list.users || []).map(row));
    } catch (err) {
      error.show(err.message);
      if (err.status === 403) create.hidden = true;
    }
  }
  load();
}

/** The provisioning API answers 404 "no such API" until it is installed. */
const notInstalled = (err) => err.status === 404 && /no such API/.test(err.message);

export function devices(view, username, app) {
  const error = errorBox('admin-error');
  const done = notice();
  const table = h('tbody');
  const kind = h('select', {testid: 'device-kind'},
    ['desk-phone', 'mobile', 'softphone', 'web'].map((k) => h('option', {value: k}, k)));
  const vendor = h('select', {testid: 'device-vendor'},
    ['yealink', 'polycom', 'cisco', 'snom', 'grandstream'].map((v) => h('option', {value: v}, v)));
  const model = h('input', {testid: 'device-model', placeholder: 'T46U'});
  const mac = h('input', {testid: 'device-mac', placeholder: '00:15:65:aa:bb:cc', autocapitalize: 'none'});
  const form = h('form', {class: 'card grid-form', 'aria-label': 'Add a device'},
    field('Kind', kind), field('Vendor', vendor), field('Model', model), field('MAC address', mac),
    h('button', {type: 'submit', testid: 'device-add'}, 'Add device'));
  kind.addEventListener('change', () => {
    const phone = kind.value === 'desk-phone';
    vendor.disabled = !phone;
    mac.disabled = !phone;
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    done.clear();
    const body = {kind: kind.value};
    if (kind.value === 'desk-phone') Object.assign(body, {vendor: vendor.value, mac: mac.value.trim()});
    if (model.value.trim()) body.model = model.value.trim();
    try {
      const d = await post('/api/users/' + q(username) + '/devices', body);
      done.show(`Added ${d.vendor || d.kind} ${d.model || ''} for ${username}.`);
      mac.value = '';
      model.value = '';
      load();
    } catch (err) {
      error.show(notInstalled(err) ? 'Device management is not available on this server yet.' : err.message);
    }
  });
  const registrations = h('div', {testid: 'registrations'});
  fill(view, h('h1', null, 'Devices of ' + username), h('p', null, h('a', {href: '#/admin/users'}, '← Users')),
    error.el, done.el,
    h('div', {class: 'table-wrap'}, h('table', {testid: 'device-table'},
      h('thead', null, h('tr', null, ['Kind', 'Vendor and model', 'MAC', 'Endpoint', 'Registered', 'Provisioning URL', '']
        .map((t) => h('th', null, t)))), table)),
    h('h2', null, 'Add a device'), form,
    h('h2', null, 'Registered with Switchboard now'), registrations);

  /**
   * Whether the device is registered with Switchboard now: a binding made with its own credentials,
   * or (a phone registering with the user's) its MAC in the User-Agent or Contact, as Yealink, Snom, Polycom send.
   */
  function registered(d, bindings) {
    if (!bindings) return '—';
    const mac = (d.mac || '').toLowerCase();
    const mine = bindings.some((b) => b.device === d.id || (mac && `${b.userAgent || ''} ${b.contact || ''}`
      .toLowerCase().replace(/[:.-]/g, '').includes(mac)));
    return mine ? 'yes' : 'no';
  }

  async function load() {
    let bindings = null;
    try {
      bindings = (await get('/api/users/' + q(username) + '/registrations')).bindings;
      fill(registrations, bindingTable(bindings, false));
    } catch (err) {
      fill(registrations, h('p', {class: 'muted'}, err.message));
    }
    try {
      const r = await get('/api/users/' + q(username) + '/devices');
      const list = Array.isArray(r) ? r : r.devices || [];
      fill(table, list.length === 0 ? h('tr', null, h('td', {colspan: 7, class: 'muted'}, 'No devices yet.')) : null,
        list.map((d) => h('tr', {testid: 'device-' + d.id},
          h('td', null, d.kind), h('td', null, [d.vendor, d.model].filter(Boolean).join(' ')),
          h('td', null, d.mac || ''), h('td', null, d.endpoint || ''),
          h('td', {testid: 'device-registered-' + d.id}, registered(d, bindings)),
          h('td', {testid: 'device-url-' + d.id}, d.provisioningUrl ? safeLink(d.provisioningUrl) : ''),
          h('td', null, h('button', {type: 'button', class: 'remove', testid: 'device-delete-' + d.id, onclick: async () => {
            if (!confirm('Remove this device? The phone loses its configuration.')) return;
            try { await del('/api/devices/' + q(d.id)); load(); } catch (err) { error.show(err.message); }
          }}, 'Remove')))));
    } catch (err) {
      if (notInstalled(err)) {
        error.show('Device management is not available on this server yet.');
        form.hidden = true;
      } else {
        error.show(err.message);
      }
    }
  }
  load();
}

export function importCsv(view, app) {
  const error = errorBox('admin-error');
  const report = h('div', {testid: 'import-report', 'aria-live': 'polite'});
  const file = h('input', {type: 'file', accept: '.csv,text/csv', testid: 'import-file'});
  const text = h('textarea', {rows: 8, testid: 'import-text', spellcheck: 'false',
    placeholder: 'username,displayName,extension,password,sipPassword,…'});
  file.addEventListener('change', async () => {
    if (file.files[0]) text.value = await file.files[0].text();
  });
  const form = h('form', {class: 'card', 'aria-label': 'CSV import'}, field('CSV file', file), field('or paste CSV', text),
    h('button', {type: 'submit', testid: 'import-submit'}, 'Import'));
  const submit = form.querySelector('button[type=submit]');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    fill(report, h('p', {class: 'notice'}, 'Importing… (a large file takes a while: each password is hashed)'));
    submit.disabled = true;
    try {
      const r = await api('POST', '/api/import', text.value, 'text/csv');
      const counts = r.users != null ? `: ${r.users} user(s), ${r.devices ?? 0} device(s)` : '';
      const without = r.withoutPassword && r.withoutPassword.length
        ? h('p', {testid: 'import-without-password'}, `${r.withoutPassword.length} user(s) without a web password: `
          + 'give each a password link from the Users page (' + r.withoutPassword.slice(0, 20).join(', ')
          + (r.withoutPassword.length > 20 ? ', …' : '') + ').') : null;
      fill(report, h('p', {class: 'notice', testid: 'import-result'}, `Imported ${r.imported ?? 0} row(s)${counts}.`),
        without, errors(r.errors));
    } catch (err) {
      if (err.body && Array.isArray(err.body.errors)) {
        fill(report, h('p', {class: 'error'}, 'Nothing was imported: fix these lines and try again.'), errors(err.body.errors));
      } else {
        fill(report);
        error.show(/no such API/.test(err.message) ? 'CSV import is not available on this server yet.' : err.message);
      }
    } finally {
      submit.disabled = false;
    }
  });
  function errors(list) {
    if (!list || list.length === 0) return null;
    return h('table', {testid: 'import-errors'},
      h('thead', null, h('tr', null, ['Line', 'Field', 'Problem'].map((t) => h('th', null, t)))),
      h('tbody', null, list.map((x) => h('tr', null, h('td', null, x.line), h('td', null, x.field || ''), h('td', null, x.message)))));
  }
  fill(view, h('h1', null, 'Import from CSV'), h('p', null, h('a', {href: '#/admin/users'}, '← Users')), error.el, form, report);
}

export function status(view, app) {
  const error = errorBox('admin-error');
  const table = h('tbody');
  const checked = h('p', {class: 'muted', testid: 'status-checked'});
  const registrations = h('div', {testid: 'registrations'});
  const security = h('div', {testid: 'security-events'});
  const ms = (v) => v + ' ms';
  const charts = [
    lineChart({title: 'Registrations', testid: 'chart-registrations',
      series: [{key: 'registrations', label: 'registered', cls: 'c1'}]}),
    lineChart({title: 'Messages per minute', testid: 'chart-messages',
      series: [{key: 'messagesPerMinute', label: 'messages/min', cls: 'c1'}]}),
    lineChart({title: 'NOTIFYs per second', testid: 'chart-notifies',
      series: [{key: 'notifiesPerSecond', label: 'NOTIFY/s', cls: 'c1'}]}),
    lineChart({title: 'SIP response time', testid: 'chart-sip', format: ms,
      series: [{key: 'sipP50Ms', label: 'p50', cls: 'c1'}, {key: 'sipP99Ms', label: 'p99', cls: 'c2'}]}),
    lineChart({title: 'Asterisk (AMI)', testid: 'chart-ami', step: true,
      format: (v) => v >= 1 ? 'connected' : 'down',
      series: [{key: 'amiUp', label: 'link', cls: 'c3'}]}),
  ];
  const amiNote = h('p', {class: 'muted', testid: 'chart-ami-note', hidden: true}, 'AMI is not configured (ami.host).');
  function drawCharts() {
    // The AMI series as numbers; null (not configured) leaves the chart empty with a note.
    const samples = app.metrics.map((x) => ({...x, amiUp: x.ami == null ? null : x.ami ? 1 : 0}));
    charts.forEach((c) => c.update(samples));
    amiNote.hidden = !(samples.length && samples[samples.length - 1].ami == null);
  }
  fill(view, h('h1', null, 'Status'), error.el,
    h('h2', null, 'Live'), h('div', {class: 'charts', testid: 'status-charts'}, charts.map((c) => c.el)), amiNote,
    h('div', {class: 'table-wrap'}, h('table', {testid: 'status-table'},
      h('thead', null, h('tr', null, ['Component', 'State', 'Details'].map((t) => h('th', null, t)))), table)), checked,
    h('h2', null, 'SIP registrations'), registrations,
    h('h2', null, 'Security events'), security, logLevels());

  async function load() {
    let health;
    try {
      health = await get('/api/health');
    } catch (err) {
      if (err.status === 503 && err.body.components) health = err.body; // one is down: still a report
      else { error.show(err.message); return; }
    }
    error.clear();
    const components = health.components || {};
    fill(table, Object.entries(components).map(([name, c]) => {
      const {state, ...details} = c || {};
      return h('tr', {testid: 'status-' + name},
        h('th', {scope: 'row'}, name),
        h('td', {class: state === 'up' ? 'ok' : state === 'down' ? 'down' : '', testid: 'status-state-' + name}, state || '?'),
        h('td', null, Object.entries(details).map(([k, v]) =>
          h('div', null, h('span', {class: 'muted'}, k + ': '), typeof v === 'object' ? JSON.stringify(v) : String(v)))));
    }));
    checked.textContent = 'Checked at ' + time(new Date().toISOString()) + '; refreshes every 10 s.';
    try {
      const bindings = (await get('/api/registrations')).bindings;
      const users = new Set(bindings.map((b) => b.username)).size;
      fill(registrations, h('p', {testid: 'registration-count'}, `${bindings.length} device(s) of ${users} user(s) registered.`),
        bindingTable(bindings, true));
    } catch (err) {
      fill(registrations, h('p', {class: 'muted'}, err.message));
    }
    try {
      fill(security, securityTable((await get('/api/security/events')).events.slice(0, 20)));
    } catch (err) {
      fill(security, h('p', {class: 'muted'}, err.message));
    }
  }
  load();
  drawCharts();
  const stopCharts = app.on('metrics', drawCharts);
  const timer = setInterval(load, 10000);
  return () => {
    clearInterval(timer);
    stopCharts();
  };
}

/** Log levels at run time: the loggers with a level of their own, and a form to set one (until restart). */
function logLevels() {
  const error = errorBox('log-level-error');
  const list = h('tbody', {testid: 'log-levels'});
  const logger = h('input', {required: true, testid: 'log-level-logger', placeholder: 'io.switchboard.im or ROOT',
    autocapitalize: 'none', spellcheck: 'false'});
  const level = h('select', {testid: 'log-level-level'},
    ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'OFF'].map((l) => h('option', {value: l}, l)),
    h('option', {value: ''}, 'inherit'));
  level.value = 'DEBUG';
  const show = (levels) => fill(list, levels.map((l) => h('tr', {testid: 'log-level-' + l.logger},
    h('td', null, l.logger), h('td', null, l.level))));
  const form = h('form', {class: 'card grid-form', 'aria-label': 'Set a log level'},
    field('Logger', logger), field('Level', level), h('button', {type: 'submit', testid: 'log-level-set'}, 'Set level'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    try {
      show((await put('/api/admin/log-levels', {logger: logger.value.trim(), level: level.value || null})).levels);
    } catch (err) {
      error.show(err.message);
    }
  });
  get('/api/admin/log-levels').then((r) => show(r.levels), (err) => error.show(err.message));
  return h('section', null, h('h2', null, 'Log levels'), error.el,
    h('div', {class: 'table-wrap'}, h('table', null,
      h('thead', null, h('tr', null, ['Logger', 'Level'].map((t) => h('th', null, t)))), list)), form);
}

/** The latest security events, newest first: failed logins and digests, throttled sources, admin changes. */
function securityTable(events) {
  if (events.length === 0) return h('p', {class: 'muted'}, 'No security events since the server started.');
  return h('div', {class: 'table-wrap'}, h('table', null,
    h('thead', null, h('tr', null, ['When', 'What', 'Who', 'From', 'Detail'].map((t) => h('th', null, t)))),
    h('tbody', null, events.map((e) => h('tr', {testid: 'security-event'},
      h('td', null, time(new Date(e.at).toISOString())), h('td', {testid: 'security-event-kind'}, e.kind),
      h('td', null, e.who || ''), h('td', null, e.source || ''), h('td', null, e.detail || ''))))));
}

/** Live SIP bindings as the location service lists them. */
function bindingTable(bindings, withUser) {
  if (bindings.length === 0) return h('p', {class: 'muted'}, 'Nothing registered.');
  const heads = [withUser ? 'User' : null, 'Contact', 'User agent', 'Transport', 'Expires in'].filter(Boolean);
  return h('div', {class: 'table-wrap'}, h('table', null,
    h('thead', null, h('tr', null, heads.map((t) => h('th', null, t)))),
    h('tbody', null, bindings.map((b) => h('tr', null,
      withUser ? h('td', null, b.username) : null, h('td', null, b.contact), h('td', null, b.userAgent || ''),
      h('td', null, b.transport || ''), h('td', null, b.expiresIn + ' s'))))));
}
