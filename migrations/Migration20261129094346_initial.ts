import { Migration } from '@mikro-orm/migrations';

export class Migration20261129094346_initial extends Migration {

  override name = 'Migration20261129094346_initial';

  override up(): void | Promise<void> {
    this.addSql(`create type "project_role" as enum ('OWNER', 'EDITOR', 'VIEWER');`);
    this.addSql(`create table "audit_events" ("id" uuid not null, "at" timestamptz not null, "action" varchar(64) not null, "success" boolean not null default true, "actor_id" uuid null, "actor_email" varchar(320) null, "target_type" varchar(32) null, "target_id" varchar(64) null, "ip" varchar(64) null, "details" jsonb not null, primary key ("id"));`);
    this.addSql(`create index "audit_events_actor_id_index" on "audit_events" ("actor_id");`);
    this.addSql(`create index "audit_events_ip_index" on "audit_events" ("ip");`);
    this.addSql(`create index "audit_events_action_at_index" on "audit_events" ("action", "at");`);
    this.addSql(`create index "audit_events_at_id_index" on "audit_events" ("at", "id");`);
    this.addSql(`create or replace function "audit_events_audit_events_no_change_fn"() returns trigger as \$\$ begin raise exception 'audit_events is append-only'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "audit_events_no_change" BEFORE UPDATE OR DELETE on "audit_events" for each ROW execute function "audit_events_audit_events_no_change_fn"();`);

    this.addSql(`create table "projects" ("id" uuid not null, "name" varchar(100) not null, "description" varchar(2000) not null default '', "archived_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);

    this.addSql(`create table "roles" ("id" uuid not null, "name" varchar(64) not null, "description" varchar(500) not null default '', "permissions" text[] not null, "built_in" boolean not null default false, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "roles" add constraint "roles_name_unique" unique ("name");`);

    this.addSql(`create table "users" ("id" uuid not null, "email" varchar(320) not null, "display_name" varchar(100) not null, "password_hash" varchar(200) not null, "locale" varchar(10) not null default 'en', "disabled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "sessions" ("id" uuid not null, "user_id" uuid not null, "created_at" timestamptz not null, "last_used_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" varchar(64) null, "user_agent" varchar(300) null, "ip" varchar(64) null, primary key ("id"));`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(`create table "refresh_tokens" ("id" uuid not null, "session_id" uuid not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "rotated_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "project_members" ("id" uuid not null, "project_id" uuid not null, "user_id" uuid not null, "role" "project_role" not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "project_members_user_id_index" on "project_members" ("user_id");`);
    this.addSql(`alter table "project_members" add constraint "project_members_project_id_user_id_unique" unique ("project_id", "user_id");`);

    this.addSql(`create table "api_tokens" ("id" uuid not null, "user_id" uuid not null, "name" varchar(100) not null, "prefix" varchar(20) not null, "token_hash" varchar(64) not null, "scopes" text[] not null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "api_tokens_user_id_index" on "api_tokens" ("user_id");`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "user_roles" ("user_id" uuid not null, "role_id" uuid not null, primary key ("user_id", "role_id"));`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on delete cascade;`);

    this.addSql(`alter table "project_members" add constraint "project_members_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`);
    this.addSql(`alter table "project_members" add constraint "project_members_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "user_roles" add constraint "user_roles_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "user_roles" add constraint "user_roles_role_id_foreign" foreign key ("role_id") references "roles" ("id") on update cascade on delete cascade;`);
  }

}
