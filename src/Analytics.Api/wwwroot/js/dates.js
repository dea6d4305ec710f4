import { h, field } from './dom.js';

const DAY = 86_400_000;

/** Today's UTC date as YYYY-MM-DD. */
export const todayUtc = () => new Date().toISOString().slice(0, 10);

export function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysOf(from, to) {
  const days = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

/** The last `n` UTC days, today included. */
export const lastDays = (n) => ({ preset: String(n), from: addDays(todayUtc(), -(n - 1)), to: todayUtc() });

/**
 * The date-range picker: 7, 30 or 90 days ending today (UTC), or custom dates. Calls onChange with
 * {preset, from, to} when the range changes; custom dates apply when both are set and in order.
 */
export function rangePicker(range, onChange) {
  const preset = h('select', { name: 'range' },
    ['7', '30', '90'].map((n) => h('option', { value: n }, `Last ${n} days`)),
    h('option', { value: 'custom' }, 'Custom dates'));
  preset.value = range.preset;
  const from = h('input', { type: 'date', name: 'from', value: range.from, max: todayUtc() });
  const to = h('input', { type: 'date', name: 'to', value: range.to, max: todayUtc() });
  const custom = h('div', { class: 'custom-dates', hidden: range.preset !== 'custom' },
    field('From (UTC)', from), field('To (UTC)', to));
  const problem = h('p', { class: 'hint', role: 'status' });

  preset.addEventListener('change', () => {
    custom.hidden = preset.value !== 'custom';
    if (preset.value !== 'custom') onChange(lastDays(Number(preset.value)));
  });
  const applyCustom = () => {
    problem.textContent = '';
    if (!from.value || !to.value) return;
    if (from.value > to.value) {
      problem.textContent = 'The first day must not be after the last.';
      return;
    }
    onChange({ preset: 'custom', from: from.value, to: to.value });
  };
  from.addEventListener('change', applyCustom);
  to.addEventListener('change', applyCustom);
  return h('fieldset', { class: 'range' }, h('legend', {}, 'Date range'), field('Window', preset), custom, problem);
}
