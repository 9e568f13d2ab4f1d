import { Migration } from '@mikro-orm/migrations';

export class Migration20261129120901_runs extends Migration {

  override name = 'Migration20261129120901_runs';

  override up(): void | Promise<void> {
    this.addSql(`create type "run_status" as enum ('QUEUED', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');`);
    this.addSql(`create table "run_metrics" ("run_id" uuid not null, "key" varchar(100) not null, "step" int not null, "value" double precision not null, "attempt" int not null, "time" timestamptz not null, primary key ("run_id", "key", "step"));`);

    this.addSql(`create table "runs" ("id" uuid not null, "project_id" uuid not null, "number" int not null, "name" varchar(200) not null, "created_by_id" uuid null, "dataset_version_id" uuid not null, "base_model_id" varchar(200) not null, "method" varchar(16) not null, "objective" varchar(16) not null, "config" jsonb not null, "priority" int not null default 0, "status" "run_status" not null default 'QUEUED', "attempt" int not null default 0, "max_attempts" int not null, "attempt_base" int not null default 0, "queue_name" varchar(64) not null, "job_id" uuid null, "worker_id" uuid null, "progress" jsonb null, "phase" varchar(500) null, "final_metrics" jsonb null, "error" jsonb null, "chat_template" text null, "cancel_requested_at" timestamptz null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "runs_status_index" on "runs" ("status");`);
    this.addSql(`create index "runs_project_id_created_at_index" on "runs" ("project_id", "created_at");`);

    this.addSql(`create table "run_events" ("id" bigserial primary key, "run_id" uuid not null, "attempt" int not null, "seq" int not null, "kind" varchar(16) not null, "time" timestamptz not null, "payload" jsonb not null);`);
    this.addSql(`create index "run_events_run_id_kind_id_index" on "run_events" ("run_id", "kind", "id");`);
    this.addSql(`alter table "run_events" add constraint "run_events_run_id_attempt_seq_unique" unique ("run_id", "attempt", "seq");`);

    this.addSql(`create table "run_checkpoints" ("id" uuid not null, "run_id" uuid not null, "step" int not null, "attempt" int not null, "artifact" varchar(64) not null, "size_bytes" bigint not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "run_checkpoints" add constraint "run_checkpoints_run_id_step_unique" unique ("run_id", "step");`);

    this.addSql(`create table "run_attempts" ("id" uuid not null, "run_id" uuid not null, "number" int not null, "worker_id" uuid null, "worker_name" varchar(64) null, "resumed_from_step" int null, "outcome" varchar(32) null, "reason" text null, "started_at" timestamptz not null, "ended_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "run_attempts" add constraint "run_attempts_run_id_number_unique" unique ("run_id", "number");`);

    this.addSql(`create table "model_versions" ("id" uuid not null, "project_id" uuid not null, "number" int not null, "name" varchar(200) not null, "run_id" uuid not null, "base_model_id" varchar(200) not null, "dataset_version_id" uuid not null, "kind" varchar(32) not null, "artifact" varchar(64) not null, "size_bytes" bigint not null, "files" jsonb not null, "chat_template" text not null, "config" jsonb not null, "metrics" jsonb not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "model_versions" add constraint "model_versions_run_id_unique" unique ("run_id");`);
    this.addSql(`create index "model_versions_project_id_created_at_index" on "model_versions" ("project_id", "created_at");`);
    this.addSql(`alter table "model_versions" add constraint "model_versions_project_id_number_unique" unique ("project_id", "number");`);

    this.addSql(`alter table "runs" add constraint "runs_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`);
    this.addSql(`alter table "runs" add constraint "runs_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "runs" add constraint "runs_dataset_version_id_foreign" foreign key ("dataset_version_id") references "dataset_versions" ("id") on delete restrict;`);
    this.addSql(`alter table "runs" add constraint "runs_worker_id_foreign" foreign key ("worker_id") references "workers" ("id") on delete set null;`);

    this.addSql(`alter table "run_events" add constraint "run_events_run_id_foreign" foreign key ("run_id") references "runs" ("id") on delete cascade;`);

    this.addSql(`alter table "run_checkpoints" add constraint "run_checkpoints_run_id_foreign" foreign key ("run_id") references "runs" ("id") on delete cascade;`);

    this.addSql(`alter table "run_attempts" add constraint "run_attempts_run_id_foreign" foreign key ("run_id") references "runs" ("id") on delete cascade;`);
    this.addSql(`alter table "run_attempts" add constraint "run_attempts_worker_id_foreign" foreign key ("worker_id") references "workers" ("id") on delete set null;`);

    this.addSql(`alter table "model_versions" add constraint "model_versions_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`);
    this.addSql(`alter table "model_versions" add constraint "model_versions_run_id_foreign" foreign key ("run_id") references "runs" ("id") on delete restrict;`);
    this.addSql(`alter table "model_versions" add constraint "model_versions_dataset_version_id_foreign" foreign key ("dataset_version_id") references "dataset_versions" ("id") on delete restrict;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "run_events" drop constraint "run_events_run_id_foreign";`);
    this.addSql(`alter table "run_checkpoints" drop constraint "run_checkpoints_run_id_foreign";`);
    this.addSql(`alter table "run_attempts" drop constraint "run_attempts_run_id_foreign";`);
    this.addSql(`alter table "model_versions" drop constraint "model_versions_run_id_foreign";`);

    this.addSql(`drop table if exists "run_metrics" cascade;`);
    this.addSql(`drop table if exists "runs" cascade;`);
    this.addSql(`drop table if exists "run_events" cascade;`);
    this.addSql(`drop table if exists "run_checkpoints" cascade;`);
    this.addSql(`drop table if exists "run_attempts" cascade;`);
    this.addSql(`drop table if exists "model_versions" cascade;`);

    this.addSql(`drop type "run_status";`);
  }

}
