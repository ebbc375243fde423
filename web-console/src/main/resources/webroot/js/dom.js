// Builds DOM from data with text nodes only: nothing a user typed is ever parsed as HTML.

/** h('li', {class: 'x', testid: 'y', onclick: f}, 'text', child...) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === 'innerHTML' || key === 'outerHTML') throw new Error('no HTML from data');
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'testid') el.dataset.testid = value;
    else if (key === 'class') el.className = value;
    else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c)); // strings become text nodes
  }
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A link only when the URL is http(s): no javascript: from data. */
export function safeLink(url, text) {
  return /^https?:\/\//i.test(url || '') ? h('a', {href: url, rel: 'noopener noreferrer', target: '_blank'}, text || url)
    : h('span', null, text || url || '');
}

export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'}) : d.toLocaleString();
}

/** An error box that says what went wrong in words. */
export function errorBox(testid = 'error') {
  const el = h('p', {class: 'error', role: 'alert', testid, hidden: true});
  return {
    el,
    show(e) { el.textContent = e && e.message ? e.message : String(e); el.hidden = false; },
    clear() { el.textContent = ''; el.hidden = true; },
  };
}

/** A labelled input for forms. */
export function field(label, input) {
  const id = input.id || ('f-' + Math.random().toString(36).slice(2));
  input.id = id;
  return h('div', {class: 'field'}, h('label', {for: id}, label), input);
}
