import { Migration } from '@mikro-orm/migrations';

export class Migration20261207195102_evaluations extends Migration {

  override name = 'Migration20261207195102_evaluations';

  override up(): void | Promise<void> {
    this.addSql(`create type "evaluation_status" as enum ('QUEUED', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');`);
    this.addSql(`create table "evaluations" ("id" uuid not null, "project_id" uuid not null, "number" int not null, "name" varchar(200) not null, "created_by_id" uuid null, "dataset_version_id" uuid not null, "split" varchar(16) not null, "targets" jsonb not null, "suites" jsonb not null, "bootstrap" jsonb not null, "max_examples" int null, "cache_key" varchar(64) not null, "cached_from" uuid null, "priority" int not null default 0, "status" "evaluation_status" not null default 'QUEUED', "attempt" int not null default 0, "attempt_base" int not null default 0, "max_attempts" int not null, "queue_name" varchar(64) not null, "job_id" uuid null, "worker_id" uuid null, "phase" varchar(500) null, "progress" jsonb null, "summary" jsonb null, "error" jsonb null, "cancel_requested_at" timestamptz null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "evaluations_project_id_cache_key_index" on "evaluations" ("project_id", "cache_key");`);
    this.addSql(`create index "evaluations_project_id_created_at_index" on "evaluations" ("project_id", "created_at");`);

    this.addSql(`create table "evaluation_examples" ("id" bigserial primary key, "evaluation_id" uuid not null, "index" int not null, "target" varchar(64) not null, "suite" varchar(32) not null, "subject" varchar(200) null, "prompt" text not null, "reference" text not null, "output" text null, "thinking" text null, "flags" jsonb not null, "scores" jsonb not null, "stats" jsonb null, "attempt" int not null);`);
    this.addSql(`create index "evaluation_examples_evaluation_id_index_index" on "evaluation_examples" ("evaluation_id", "index");`);
    this.addSql(`alter table "evaluation_examples" add constraint "evaluation_examples_evaluation_id_target_suite_index_unique" unique ("evaluation_id", "target", "suite", "index");`);

    this.addSql(`create table "evaluation_events" ("id" bigserial primary key, "evaluation_id" uuid not null, "attempt" int not null, "seq" int not null, "kind" varchar(16) not null, "time" timestamptz not null, "payload" jsonb not null);`);
    this.addSql(`alter table "evaluation_events" add constraint "evaluation_events_evaluation_id_attempt_seq_unique" unique ("evaluation_id", "attempt", "seq");`);

    this.addSql(`create table "evaluation_attempts" ("id" uuid not null, "evaluation_id" uuid not null, "number" int not null, "worker_id" uuid null, "worker_name" varchar(64) null, "outcome" varchar(32) null, "reason" text null, "started_at" timestamptz not null, "ended_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "evaluation_attempts" add constraint "evaluation_attempts_evaluation_id_number_unique" unique ("evaluation_id", "number");`);

    this.addSql(`alter table "evaluations" add constraint "evaluations_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`);
    this.addSql(`alter table "evaluations" add constraint "evaluations_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "evaluations" add constraint "evaluations_dataset_version_id_foreign" foreign key ("dataset_version_id") references "dataset_versions" ("id") on delete cascade;`);
    this.addSql(`alter table "evaluations" add constraint "evaluations_worker_id_foreign" foreign key ("worker_id") references "workers" ("id") on delete set null;`);

    this.addSql(`alter table "evaluation_examples" add constraint "evaluation_examples_evaluation_id_foreign" foreign key ("evaluation_id") references "evaluations" ("id") on delete cascade;`);

    this.addSql(`alter table "evaluation_events" add constraint "evaluation_events_evaluation_id_foreign" foreign key ("evaluation_id") references "evaluations" ("id") on delete cascade;`);

    this.addSql(`alter table "evaluation_attempts" add constraint "evaluation_attempts_evaluation_id_foreign" foreign key ("evaluation_id") references "evaluations" ("id") on delete cascade;`);
    this.addSql(`alter table "evaluation_attempts" add constraint "evaluation_attempts_worker_id_foreign" foreign key ("worker_id") references "workers" ("id") on delete set null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "evaluation_examples" drop constraint "evaluation_examples_evaluation_id_foreign";`);
    this.addSql(`alter table "evaluation_events" drop constraint "evaluation_events_evaluation_id_foreign";`);
    this.addSql(`alter table "evaluation_attempts" drop constraint "evaluation_attempts_evaluation_id_foreign";`);

    this.addSql(`drop table if exists "evaluations" cascade;`);
    this.addSql(`drop table if exists "evaluation_examples" cascade;`);
    this.addSql(`drop table if exists "evaluation_events" cascade;`);
    this.addSql(`drop table if exists "evaluation_attempts" cascade;`);

    this.addSql(`drop type "evaluation_status";`);
  }

}
