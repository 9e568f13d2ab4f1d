import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * One throttle counter: failed (or reserved) attempts for a scope and key, e.g. `login-pair` and
 * `ada@example.com|203.0.113.7`. Rows are reserved under a row lock before a password is checked,
 * so concurrent attempts cannot all slip through (see throttle.ts).
 */
@Entity({ tableName: 'sign_in_throttles' })
export class SignInThrottle {
  @PrimaryKey({ type: 'string', length: 20 })
  scope!: string;

  @PrimaryKey({ type: 'string', length: 400 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  failures: number = 0;

  @Property({ type: 'datetime', nullable: true })
  blockedUntil: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
