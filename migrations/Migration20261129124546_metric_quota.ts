import { Migration } from '@mikro-orm/migrations';

export class Migration20261129124546_metric_quota extends Migration {

  override name = 'Migration20261129124546_metric_quota';

  override up(): void | Promise<void> {
    this.addSql(`alter table "runs" add "metric_points" bigint not null default '0';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "runs" drop column "metric_points";`);
  }

}
