import { Migration } from '@mikro-orm/migrations';

export class Migration20261207161102_accounts extends Migration {

  override name = 'Migration20261207161102_accounts';

  override up(): void | Promise<void> {
    this.addSql(`create table "sign_in_throttles" ("scope" varchar(20) not null, "key" varchar(400) not null, "failures" int not null default 0, "blocked_until" timestamptz null, "updated_at" timestamptz not null default now(), primary key ("scope", "key"));`);

    this.addSql(`create table "invites" ("id" uuid not null, "token_hash" varchar(64) not null, "email" varchar(320) null, "role_id" uuid not null, "created_by_id" uuid null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "used_by_id" uuid null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "invites" add constraint "invites_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "invites_created_by_id_index" on "invites" ("created_by_id");`);

    this.addSql(`alter table "invites" add constraint "invites_role_id_foreign" foreign key ("role_id") references "roles" ("id") on delete cascade;`);
    this.addSql(`alter table "invites" add constraint "invites_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "invites" add constraint "invites_used_by_id_foreign" foreign key ("used_by_id") references "users" ("id") on delete set null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "sign_in_throttles" cascade;`);
    this.addSql(`drop table if exists "invites" cascade;`);
  }

}
