// Small live charts for the admin status page, drawn as SVG from the metrics samples the live channel
// sends (MetricsHistory on the server): no chart library, no inline styles (the CSP allows none).
import {h, fill} from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300;
const HEIGHT = 80;
/** What the charts span: the server keeps five minutes of samples. */
export const WINDOW_MS = 5 * 60 * 1000;
const KEEP = 150;

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'testid') el.dataset.testid = v; else el.setAttribute(k, String(v));
  }
  children.forEach((c) => c != null && el.append(c));
  return el;
}

/** Keeps the samples of a metrics frame in app.metrics (oldest first, no repeats), for pages opened later. */
export function remember(app, frame) {
  const last = app.metrics.length ? app.metrics[app.metrics.length - 1].t : -Infinity;
  for (const sample of frame.samples || []) {
    if (sample && sample.t > last) app.metrics.push(sample);
  }
  if (app.metrics.length > KEEP) app.metrics.splice(0, app.metrics.length - KEEP);
}

/**
 * A line chart of some fields of the samples.
 * @param series [{key, label, cls}]: cls colours the line and its legend swatch (console.css)
 * @param format how a value reads in the legend
 */
export function lineChart({title, testid, series, format = (v) => String(v), step = false}) {
  const svg = s('svg', {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', class: 'chart',
    role: 'img', 'aria-label': title});
  const paths = series.map((x) => s('path', {class: 'line ' + x.cls, d: '', testid: testid + '-' + x.key}));
  const grid = s('path', {class: 'grid', d: `M0,${HEIGHT - 0.5} H${WIDTH}`});
  const top = h('span', {class: 'scale muted'});
  svg.append(grid, ...paths);
  const values = series.map(() => h('strong', null, '–'));
  const legend = h('ul', {class: 'legend', testid: testid + '-legend'}, series.map((x, i) =>
    h('li', null, h('span', {class: 'swatch ' + x.cls}), x.label + ': ', values[i])));
  const el = h('figure', {class: 'chart-card card', testid},
    h('figcaption', null, h('h3', null, title), top), svg, legend);

  function update(samples) {
    const end = samples.length ? samples[samples.length - 1].t : Date.now();
    const start = end - WINDOW_MS;
    const shown = samples.filter((x) => x.t >= start);
    let peak = 0;
    for (const x of shown) for (const k of series) if (typeof x[k.key] === 'number') peak = Math.max(peak, x[k.key]);
    const max = step ? 1 : peak > 0 ? peak * 1.15 : 1; // headroom above the peak
    top.textContent = step ? '' : 'peak ' + format(peak);
    series.forEach((k, i) => {
      let d = '';
      let open = false;
      let prevY = null;
      for (const x of shown) {
        const v = x[k.key];
        if (typeof v !== 'number') { open = false; continue; }
        const px = ((x.t - start) / WINDOW_MS) * WIDTH;
        const py = HEIGHT - 2 - (v / max) * (HEIGHT - 6);
        if (!open) d += `M${px.toFixed(1)},${py.toFixed(1)}`;
        else if (step && prevY !== py) d += `H${px.toFixed(1)}V${py.toFixed(1)}`;
        else d += `L${px.toFixed(1)},${py.toFixed(1)}`;
        open = true;
        prevY = py;
      }
      paths[i].setAttribute('d', d);
      const latest = [...shown].reverse().find((x) => typeof x[k.key] === 'number');
      fill(values[i], latest ? format(latest[k.key]) : '–');
    });
  }
  return {el, update};
}
