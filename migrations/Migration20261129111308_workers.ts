import { Migration } from '@mikro-orm/migrations';

export class Migration20261129111308_workers extends Migration {

  override name = 'Migration20261129111308_workers';

  override up(): void | Promise<void> {
    this.addSql(`create table "workers" ("id" uuid not null, "name" varchar(64) not null, "account_id" uuid not null, "hostname" varchar(255) null, "gpus" jsonb not null, "cpu_count" int null, "memory_mb" int null, "agent_version" varchar(64) null, "registered_at" timestamptz null, "last_heartbeat_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "workers" add constraint "workers_name_unique" unique ("name");`);
    this.addSql(`alter table "workers" add constraint "workers_account_id_unique" unique ("account_id");`);

    this.addSql(`alter table "workers" add constraint "workers_account_id_foreign" foreign key ("account_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "workers" cascade;`);
  }

}
