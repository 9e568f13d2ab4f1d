import { Migration } from '@mikro-orm/migrations';

export class Migration20261207161429_run_uploads extends Migration {

  override name = 'Migration20261207161429_run_uploads';

  override up(): void | Promise<void> {
    this.addSql(`create table "run_uploads" ("id" uuid not null, "run_id" uuid not null, "attempt" int not null, "kind" varchar(16) not null, "artifact" varchar(64) not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "run_uploads_artifact_index" on "run_uploads" ("artifact");`);
    this.addSql(`alter table "run_uploads" add constraint "run_uploads_run_id_attempt_kind_artifact_unique" unique ("run_id", "attempt", "kind", "artifact");`);

    this.addSql(`alter table "run_uploads" add constraint "run_uploads_run_id_foreign" foreign key ("run_id") references "runs" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "run_uploads" cascade;`);
  }

}
