/** One configuration value across the compared runs. */
export interface DiffRow {
  /** Dotted path: `hyperparameters.learningRate`. */
  key: string;
  /** One per run, as text; `undefined` when the run has no such value. */
  values: (string | undefined)[];
  /** Not every run has the same value. */
  differs: boolean;
}

/** `{ a: { b: 1 }, c: [1, 2] }` → `{ 'a.b': '1', c: '[1,2]' }`; arrays and scalars are leaves. */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flattenConfig(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/**
 * Side-by-side rows for several configurations: every path any of them has, sorted, with a flag
 * where they disagree (a value missing from one run counts as a difference).
 */
export function diffConfigs(configs: readonly unknown[]): DiffRow[] {
  const flat = configs.map((config) => flattenConfig(config));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return keys.map((key) => {
    const values = flat.map((f) => (key in f ? f[key] : undefined));
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });
}
