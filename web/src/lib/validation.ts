import type { Message } from './forms.svelte';

/** Mirrors the server's rules so most mistakes are caught before a round trip. */
export const PASSWORD_MIN_LENGTH = 10;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function required(value: string): Message | null {
  return value.trim() ? null : { key: 'validation.required' };
}

export function email(value: string): Message | null {
  if (!value.trim()) return { key: 'validation.required' };
  return EMAIL.test(value.trim()) ? null : { key: 'validation.email' };
}

/** Counts code points, as the server does, so an emoji counts once. */
export function password(value: string): Message | null {
  if (!value) return { key: 'validation.required' };
  if ([...value].length < PASSWORD_MIN_LENGTH)
    return { key: 'validation.passwordLength', values: { min: PASSWORD_MIN_LENGTH } };
  if (new TextEncoder().encode(value).length > 256) return { key: 'validation.passwordTooLong' };
  return null;
}

export function maxLength(value: string, max: number): Message | null {
  return value.trim().length > max ? { key: 'validation.maxLength', values: { max } } : null;
}

/** The first problem of each field, skipping fields without one. */
export function problems(checks: Record<string, (Message | null)[]>): Record<string, Message> {
  const result: Record<string, Message> = {};
  for (const [field, list] of Object.entries(checks)) {
    const first = list.find((m) => m !== null);
    if (first) result[field] = first;
  }
  return result;
}
