/** Date and time in the reader's language; empty input gives an empty string. */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}

export function formatNumber(value: number, locale: string, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value);
}

/** 1536 → "1.5 KB"; binary steps, as file managers show sizes. */
export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${formatNumber(value, locale, unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** +12, −3, 0: a signed difference for deltas. */
export function formatDelta(value: number, locale: string, maximumFractionDigits = 0): string {
  const text = formatNumber(Math.abs(value), locale, maximumFractionDigits);
  if (Math.abs(value) < 10 ** -maximumFractionDigits / 2) return formatNumber(0, locale);
  return value > 0 ? `+${text}` : `−${text}`;
}

/** 43646976 → "43.6M" (en), "4364.7万" (zh-CN): large counts at a glance. */
export function formatCompact(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}
