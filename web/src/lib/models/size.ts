import type { Message } from '../forms.svelte';
import { formatNumber } from '../format';

/**
 * A parameter count (given in billions, as the catalogue has it) in the unit that shows it: "8.2 B",
 * and "0.1 M" for the tiny test models, which would otherwise read "0 B".
 */
export function paramsMessage(billions: number, locale: string): Message {
  if (billions >= 1) return { key: 'models.sizeB', values: { size: formatNumber(billions, locale, 2) } };
  const millions = billions * 1000;
  return { key: 'models.sizeM', values: { size: formatNumber(millions, locale, millions < 10 ? 2 : 0) } };
}

/** GiB in the unit that shows it: "≈ 15 GB", and MB under 1 GB, where "≈ 0 GB" would say nothing. */
export function memoryAmount(gb: number, locale: string): Message {
  if (gb >= 1) return { key: 'models.gb', values: { gb: formatNumber(gb < 10 ? gb : Math.round(gb), locale, 1) } };
  const mb = gb * 1024;
  return { key: 'models.mb', values: { mb: formatNumber(mb, locale, mb < 10 ? 1 : 0) } };
}
