import { Migration } from '@mikro-orm/migrations';

export class Migration20261129122615_monitoring extends Migration {

  override name = 'Migration20261129122615_monitoring';

  override up(): void | Promise<void> {
    this.addSql(`create table "run_metric_rollups" ("run_id" uuid not null, "key" varchar(100) not null, "width" int not null, "bucket" int not null, "min" double precision not null, "max" double precision not null, "last_step" int not null, "last" double precision not null, primary key ("run_id", "key", "width", "bucket"));`);

    this.addSql(`create table "run_system_metrics" ("run_id" uuid not null, "key" varchar(100) not null, "time" timestamptz not null, "value" double precision not null, primary key ("run_id", "key", "time"));`);

    this.addSql(`alter table "workers" add "system" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "run_metric_rollups" cascade;`);
    this.addSql(`drop table if exists "run_system_metrics" cascade;`);

    this.addSql(`alter table "workers" drop column "system";`);
  }

}
