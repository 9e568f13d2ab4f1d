import { addMessages, init, locale, _ } from 'svelte-i18n';
import { fromStore, get } from 'svelte/store';
import en from './en.json';
import zhCN from './zh-CN.json';

export const LOCALES = ['en', 'zh-CN'] as const;
export type AppLocale = (typeof LOCALES)[number];
/** Only the language choice is kept in web storage; nothing about the session is. */
const STORAGE_KEY = 'llm-trainer.locale';

/** `zh`, `zh-TW`, `zh-Hans-CN` → `zh-CN`; `en-GB` → `en`; anything else → null. */
export function normalizeLocale(value: string | null | undefined): AppLocale | null {
  const lower = value?.trim().toLowerCase();
  if (!lower) return null;
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return null;
}

export function savedLocale(): AppLocale | null {
  try {
    return normalizeLocale(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

function browserLocale(): AppLocale {
  return normalizeLocale(navigator.language) ?? 'en';
}

let started = false;

/** Registers the dictionaries and picks the first locale: saved choice, else the browser's. */
export function setupI18n(): void {
  if (started) return;
  started = true;
  addMessages('en', en);
  addMessages('zh-CN', zhCN);
  init({ fallbackLocale: 'en', initialLocale: savedLocale() ?? browserLocale() });
  locale.subscribe((value) => {
    document.documentElement.lang = normalizeLocale(value) ?? 'en';
  });
}

/** The user's explicit choice: applied and remembered on this device. */
export function chooseLocale(value: AppLocale): void {
  void locale.set(value);
  try {
    localStorage.setItem(STORAGE_KEY, value);
  } catch {
    // Private mode or storage full: the choice still applies to this visit.
  }
}

/** The account's language applies unless this device has an explicit choice. */
export function applyAccountLocale(value: string | null | undefined): void {
  if (savedLocale()) return;
  const normalized = normalizeLocale(value);
  if (normalized) void locale.set(normalized);
}

export function currentLocale(): AppLocale {
  return normalizeLocale(get(locale)) ?? 'en';
}

const format = fromStore(_);

/** Translate outside markup; reactive when read inside a template or effect. */
export function t(key: string, values?: Record<string, string | number | boolean | Date | null | undefined>): string {
  return format.current(key, values ? { values } : undefined);
}
