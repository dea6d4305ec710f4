// Hand-drawn SVG: a few dozen elements per chart, no library, scaled by the viewBox.
import { h, s } from './dom.js';
import { formatInt, formatPercent } from './format.js';

/** A daily sparkline of [{date, value}], with its peak named for screen readers. */
export function sparkline(points, { width = 240, height = 34 } = {}) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const peak = points.reduce((a, p) => (p.value > a.value ? p : a), points[0] ?? { value: 0, date: '' });
  const step = points.length > 1 ? (width - 2) / (points.length - 1) : 0;
  const xy = points.map((p, i) => [1 + i * step, height - 2 - (p.value / max) * (height - 4)]);
  const line = xy.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
  const area = points.length > 1 ? `${line}L${xy.at(-1)[0].toFixed(1)},${height - 1}L1,${height - 1}Z` : '';
  const label = points.length === 0
    ? 'No days'
    : `Daily calls from ${points[0].date} to ${points.at(-1).date}: peak ${formatInt(peak.value)}${peak.value ? ` on ${peak.date}` : ''}`;
  return s('svg', { class: 'sparkline', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label },
    s('title', {}, label),
    area && s('path', { d: area, class: 'spark-area' }),
    s('path', { d: line, class: 'spark-line' }));
}

/** Bars per day of [{date, value}] with a y-axis, for prompts per day. */
export function dailyBars(points, { unit = 'prompts', height = 220 } = {}) {
  const width = 760;
  const pad = { left: 48, right: 8, top: 12, bottom: 28 };
  const inner = { w: width - pad.left - pad.right, h: height - pad.top - pad.bottom };
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const slot = inner.w / Math.max(1, points.length);
  const y = (v) => pad.top + inner.h - (v / max) * inner.h;
  const total = points.reduce((a, p) => a + p.value, 0);
  const label = points.length
    ? `${formatInt(total)} ${unit} from ${points[0].date} to ${points.at(-1).date}, at most ${formatInt(Math.max(0, ...points.map((p) => p.value)))} a day`
    : `No ${unit}`;
  const ticks = [0, max / 2, max];
  const labelEvery = Math.ceil(points.length / 8);
  return s('svg', { class: 'bars', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet' },
    s('title', {}, label),
    ticks.map((t) => [
      s('line', { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t), class: 'grid' }),
      s('text', { x: pad.left - 6, y: y(t) + 4, class: 'axis', 'text-anchor': 'end' }, formatInt(Math.round(t))),
    ]),
    points.map((p, i) => s('rect', {
      x: pad.left + i * slot + slot * 0.12, y: y(p.value), width: Math.max(1, slot * 0.76), height: Math.max(0, pad.top + inner.h - y(p.value)), class: 'bar',
    }, s('title', {}, `${p.date}: ${formatInt(p.value)} ${unit}`))),
    points.map((p, i) => (i % labelEvery === 0 || i === points.length - 1) && (points.length - 1 - i >= labelEvery / 2 || i === points.length - 1)
      ? s('text', { x: pad.left + i * slot + slot / 2, y: height - 8, class: 'axis', 'text-anchor': 'middle' }, p.date.slice(5))
      : null));
}

/** A rounded-up axis maximum: 1, 2 or 5 times a power of ten. */
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
}

/** How much of a cap is used: a bar to 100 % (past it, full and marked), with the figure beside it. */
export function capBar(pct, atCap) {
  if (pct == null) return h('span', { class: 'muted' }, 'no cap');
  const shown = Math.min(100, Math.max(0, pct));
  return h('span', { class: `cap${atCap ? ' at-cap' : ''}` },
    h('span', { class: 'cap-track', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': shown, 'aria-label': `Cap used ${formatPercent(pct)}` },
      fill(shown)),
    h('span', { class: 'cap-text' }, formatPercent(pct), atCap ? ' · at cap' : ''));
}

// Set through the style property, which the page's Content-Security-Policy allows, unlike a style attribute.
function fill(pct) {
  const el = h('span', { class: 'cap-fill' });
  el.style.width = `${pct}%`;
  return el;
}
