/** Median and spread of a series of rounds. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12,345 (no decimals), or with `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return digits === 0 ? grouped.format(Math.round(value)) : value.toFixed(digits);
}

/** "1,234 (1,100–1,300)", the unit after the median: "1.35× (1.31–1.39)" */
export function fmtSpread(s: Spread, digits = 0, unit = ''): string {
  if (!Number.isFinite(s.median)) return '–';
  const m = `${fmt(s.median, digits)}${unit}`;
  return s.n > 1 ? `${m} (${fmt(s.min, digits)}–${fmt(s.max, digits)})` : m;
}

/** A Markdown table. */
export function table(header: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const rule = header.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}
