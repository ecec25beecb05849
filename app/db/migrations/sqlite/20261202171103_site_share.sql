-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_sites" table
CREATE TABLE `new_sites` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `target_url` text NOT NULL, `target_key` text NOT NULL, `target_domain` text NOT NULL, `label` text NULL, `share_token_hash` text NULL, `share_created_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sites_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "sites" to new temporary table "new_sites"
INSERT INTO `new_sites` (`id`, `created_at`, `updated_at`, `target_url`, `target_key`, `target_domain`, `label`, `account_id`) SELECT `id`, `created_at`, `updated_at`, `target_url`, `target_key`, `target_domain`, `label`, `account_id` FROM `sites`;
-- Drop "sites" table after copying rows
DROP TABLE `sites`;
-- Rename temporary table "new_sites" to "sites"
ALTER TABLE `new_sites` RENAME TO `sites`;
-- Create index "sites_share_token_hash_key" to table: "sites"
CREATE UNIQUE INDEX `sites_share_token_hash_key` ON `sites` (`share_token_hash`);
-- Create index "site_account_id" to table: "sites"
CREATE INDEX `site_account_id` ON `sites` (`account_id`);
-- Create index "site_account_id_target_key" to table: "sites"
CREATE UNIQUE INDEX `site_account_id_target_key` ON `sites` (`account_id`, `target_key`);
-- Create index "site_account_id_created_at_id" to table: "sites"
CREATE INDEX `site_account_id_created_at_id` ON `sites` (`account_id`, `created_at`, `id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
