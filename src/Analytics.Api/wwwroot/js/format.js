const integer = new Intl.NumberFormat('en-US');
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const percent = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const formatInt = (n) => integer.format(n);
export const formatCost = (n) => usd.format(n);
export const formatDecimal = (n) => decimal.format(n);
export const formatPercent = (n) => `${percent.format(n)}%`;

/** "2026-11-20T10:00:00Z" as "2026-11-20 10:00 UTC"; a midnight as the day alone. */
export function formatInstant(iso) {
  if (!iso) return '';
  const [day, time = ''] = iso.replace('Z', '').split('T');
  const hm = time.slice(0, 5);
  return hm === '00:00' || hm === '' ? day : `${day} ${hm} UTC`;
}
