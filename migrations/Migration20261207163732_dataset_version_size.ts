import { Migration } from '@mikro-orm/migrations';

export class Migration20261207163732_dataset_version_size extends Migration {

  override name = 'Migration20261207163732_dataset_version_size';

  override up(): void | Promise<void> {
    this.addSql(`alter table "dataset_versions" add "size_bytes" bigint not null default '0';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "dataset_versions" drop column "size_bytes";`);
  }

}
