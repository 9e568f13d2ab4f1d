import { Migration } from '@mikro-orm/migrations';

/**
 * run:read and project:manage are new permissions; before them, reading runs and managing one's projects
 * needed no permission. Built-in roles get them from the role sync at start. Here, what existed keeps
 * working: custom roles gain both (their members could do both before), and personal API tokens gain
 * run:read (every token could read runs) but not project:manage — tokens managing projects was the hole
 * this closes; a script that needs it gets a new token.
 */
export class Migration20261207160000_scoped_permissions extends Migration {
  override name = 'Migration20261207160000_scoped_permissions';

  override up(): void | Promise<void> {
    this.addSql(`update "roles" set "permissions" = array(select distinct unnest("permissions" || array['run:read', 'project:manage']) order by 1)
      where not "built_in" and not ('worker:run' = any("permissions"));`);
    this.addSql(`update "api_tokens" set "scopes" = array(select distinct unnest("scopes" || array['run:read']) order by 1)
      where not ('worker:run' = any("scopes")) and not ('run:read' = any("scopes"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`update "roles" set "permissions" = array_remove(array_remove("permissions", 'run:read'), 'project:manage') where not "built_in";`);
    this.addSql(`update "api_tokens" set "scopes" = array_remove("scopes", 'run:read');`);
  }
}
