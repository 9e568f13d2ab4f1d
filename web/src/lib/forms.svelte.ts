import { toAppError, type AppError } from './graphql/errors';
import { t } from './i18n';

/** Something to tell the user: a dictionary key (translated when shown) or the server's words. */
export type Message = { key: string; values?: Record<string, string | number> } | { text: string };

/** Field messages the server sends in English that we can say in the reader's language. */
const KNOWN_SERVER_MESSAGES: Record<string, string> = {
  'is required': 'validation.required',
  'must not be empty': 'validation.required',
  'must be a valid email address': 'validation.email',
  'must be at least 10 characters': 'validation.passwordLength',
  'must be at most 256 bytes': 'validation.passwordTooLong',
  'An account with this email already exists': 'validation.emailTaken',
  'is not your current password': 'validation.currentPasswordWrong',
  'give at least one scope': 'validation.scopeRequired',
  'give at least one role': 'validation.roleRequired',
  'must be 1-63 lowercase letters, digits or dashes': 'validation.workerName',
  'choose at least one suite': 'evaluations.form.problems.suites',
  'name at least one model': 'evaluations.form.problems.targets',
  'a model is named twice': 'evaluations.form.problems.twice',
};

export function render(message: Message): string {
  if ('text' in message) {
    const key = KNOWN_SERVER_MESSAGES[message.text];
    return key ? t(key, { min: 10 }) : message.text;
  }
  return t(message.key, message.values);
}

/**
 * State of one form: client checks, submission, and the server's answer split into messages
 * next to fields (for fields this form has) and one page-level error (for everything else).
 */
export class FormState {
  submitting = $state(false);
  error = $state<AppError | null>(null);
  #fieldErrors = $state<Record<string, Message>>({});
  readonly #fields: readonly string[];

  constructor(fields: string[]) {
    this.#fields = fields;
  }

  /** The translated message for `field`, or undefined. Reactive to the language. */
  fieldError(field: string): string | undefined {
    const message = this.#fieldErrors[field];
    return message ? render(message) : undefined;
  }

  get hasFieldErrors(): boolean {
    return Object.keys(this.#fieldErrors).length > 0;
  }

  reset(): void {
    this.error = null;
    this.#fieldErrors = {};
  }

  /**
   * Runs `action` unless `check` finds problems. Resolves to the action's result, or undefined
   * when it did not run or failed (the failure is then shown by this form).
   */
  async submit<T>(check: () => Record<string, Message>, action: () => Promise<T>): Promise<T | undefined> {
    if (this.submitting) return undefined;
    this.reset();
    const found = check();
    if (Object.keys(found).length) {
      this.#fieldErrors = found;
      return undefined;
    }
    this.submitting = true;
    try {
      return await action();
    } catch (caught) {
      this.#showError(toAppError(caught));
      return undefined;
    } finally {
      this.submitting = false;
    }
  }

  #showError(error: AppError): void {
    const mine: Record<string, Message> = {};
    let unplaced = false;
    for (const [field, text] of Object.entries(error.fields)) {
      if (this.#fields.includes(field)) mine[field] = { text };
      else unplaced = true;
    }
    this.#fieldErrors = mine;
    if (unplaced || Object.keys(mine).length === 0) this.error = error;
  }
}
