import { Migration } from '@mikro-orm/migrations';

export class Migration20261207192402_dataset_version_jobs extends Migration {

  override name = 'Migration20261207192402_dataset_version_jobs';

  override up(): void | Promise<void> {
    this.addSql(`alter table "dataset_versions" add "input" jsonb null, add "attempts" int not null default 0;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "dataset_versions" drop column "input", drop column "attempts";`);
  }

}
