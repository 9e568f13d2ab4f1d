import { Migration } from '@mikro-orm/migrations';

export class Migration20261129100405_datasets extends Migration {

  override name = 'Migration20261129100405_datasets';

  override up(): void | Promise<void> {
    this.addSql(`create type "dataset_version_status" as enum ('PROCESSING', 'READY', 'FAILED');`);
    this.addSql(`create table "datasets" ("id" uuid not null, "project_id" uuid not null, "name" varchar(200) not null, "description" varchar(2000) not null default '', "created_by_id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "datasets_project_id_created_at_index" on "datasets" ("project_id", "created_at");`);

    this.addSql(`create table "dataset_versions" ("id" uuid not null, "dataset_id" uuid not null, "number" int not null, "status" "dataset_version_status" not null default 'PROCESSING', "error" text null, "content_hash" varchar(64) null, "parent_ids" text[] not null, "author_id" uuid not null, "message" varchar(2000) not null default '', "recipe" jsonb not null, "schema_kind" varchar(32) null, "row_count" int not null default 0, "validation" jsonb null, "stats" jsonb null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "dataset_versions_dataset_id_content_hash_index" on "dataset_versions" ("dataset_id", "content_hash");`);
    this.addSql(`alter table "dataset_versions" add constraint "dataset_versions_dataset_id_number_unique" unique ("dataset_id", "number");`);

    this.addSql(`create table "uploads" ("id" varchar(64) not null, "project_id" uuid not null, "user_id" uuid not null, "filename" varchar(500) not null, "size" bigint not null, "sha256" varchar(64) null, "completed_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "uploads_project_id_index" on "uploads" ("project_id");`);

    this.addSql(`alter table "datasets" add constraint "datasets_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`);

    this.addSql(`alter table "dataset_versions" add constraint "dataset_versions_dataset_id_foreign" foreign key ("dataset_id") references "datasets" ("id") on delete cascade;`);

    this.addSql(`alter table "uploads" add constraint "uploads_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "dataset_versions" drop constraint "dataset_versions_dataset_id_foreign";`);

    this.addSql(`drop table if exists "datasets" cascade;`);
    this.addSql(`drop table if exists "dataset_versions" cascade;`);
    this.addSql(`drop table if exists "uploads" cascade;`);

    this.addSql(`drop type "dataset_version_status";`);
  }

}
