import { describe, expect, it } from 'vitest';
import en from './en.json';
import zhCN from './zh-CN.json';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of flatten(value, path)) result.set(k, v);
    } else {
      result.set(path, value);
    }
  }
  return result;
}

/** `{name}` placeholders of an ICU message, sorted. */
const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

const dictionaries = { en: flatten(en as Tree), 'zh-CN': flatten(zhCN as Tree) };

describe('translation dictionaries', () => {
  it('have exactly the same keys', () => {
    const enKeys = [...dictionaries.en.keys()].sort();
    const zhKeys = [...dictionaries['zh-CN'].keys()].sort();
    expect(zhKeys.filter((k) => !dictionaries.en.has(k))).toEqual([]);
    expect(enKeys.filter((k) => !dictionaries['zh-CN'].has(k))).toEqual([]);
    expect(zhKeys).toEqual(enKeys);
  });

  it.each(Object.entries(dictionaries))('%s has no empty or non-string values', (_name, dictionary) => {
    const bad = [...dictionary].filter(([, value]) => typeof value !== 'string' || value.trim() === '').map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    const mismatched = [...dictionaries.en].filter(
      ([key, value]) =>
        JSON.stringify(placeholders(value as string)) !==
        JSON.stringify(placeholders((dictionaries['zh-CN'].get(key) as string | undefined) ?? '')),
    );
    expect(mismatched.map(([k]) => k)).toEqual([]);
  });
});
