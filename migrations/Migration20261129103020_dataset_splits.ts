import { Migration } from '@mikro-orm/migrations';

export class Migration20261129103020_dataset_splits extends Migration {

  override name = 'Migration20261129103020_dataset_splits';

  override up(): void | Promise<void> {
    this.addSql(`alter table "dataset_versions" add "splits" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "dataset_versions" drop column "splits";`);
  }

}
