import { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * Validates an input with a zod schema; on failure throws one BAD_USER_INPUT error naming every
 * bad field (`extensions.fields`) and saying what is allowed.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix = 'input'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    field: [prefix, ...issue.path].join('.'),
    message: issue.message,
  }));
  throw new AppError('BAD_USER_INPUT', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
}

/** Reusable field rules. */
export const rules = {
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(320, 'must be at most 320 characters')
    .pipe(z.email('must be a valid email address')),
  displayName: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  password: z
    .string()
    .refine((p) => [...p].length >= 10, 'must be at least 10 characters')
    .refine((p) => Buffer.byteLength(p, 'utf8') <= 256, 'must be at most 256 bytes'),
  locale: z.enum(['en', 'zh-CN'], 'must be en or zh-CN'),
  uuid: z.uuid('must be an id this API gave out'),
};
