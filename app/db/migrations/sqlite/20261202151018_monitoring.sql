-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Add column "webhook_secret" to table: "accounts"
ALTER TABLE `accounts` ADD COLUMN `webhook_secret` text NULL;
-- Add column "webhook_secret_hint" to table: "accounts"
ALTER TABLE `accounts` ADD COLUMN `webhook_secret_hint` text NULL;
-- Add column "webhook_secret_at" to table: "accounts"
ALTER TABLE `accounts` ADD COLUMN `webhook_secret_at` datetime NULL;
-- Create "new_usages" table
CREATE TABLE `new_usages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `period` text NOT NULL, `scans` integer NOT NULL DEFAULT (0), `monitor_runs` integer NOT NULL DEFAULT (0), `account_id` text NOT NULL, CONSTRAINT `usages_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "usages" to new temporary table "new_usages"
INSERT INTO `new_usages` (`id`, `created_at`, `updated_at`, `period`, `scans`, `account_id`) SELECT `id`, `created_at`, `updated_at`, `period`, `scans`, `account_id` FROM `usages`;
-- Drop "usages" table after copying rows
DROP TABLE `usages`;
-- Rename temporary table "new_usages" to "usages"
ALTER TABLE `new_usages` RENAME TO `usages`;
-- Create index "usage_account_id" to table: "usages"
CREATE INDEX `usage_account_id` ON `usages` (`account_id`);
-- Create index "usage_account_id_period" to table: "usages"
CREATE UNIQUE INDEX `usage_account_id_period` ON `usages` (`account_id`, `period`);
-- Create "new_scans" table
CREATE TABLE `new_scans` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `target_url` text NOT NULL, `target_domain` text NOT NULL, `depth` text NOT NULL DEFAULT ('STANDARD'), `status` text NOT NULL DEFAULT ('PENDING'), `overall_score` integer NULL, `grade` text NULL, `findings_count` integer NOT NULL DEFAULT (0), `final_url` text NULL, `duration_ms` integer NULL, `error` text NULL, `result` text NULL, `job_id` integer NULL, `cancel_requested` bool NOT NULL DEFAULT (false), `claim` text NULL, `heartbeat_at` datetime NULL, `started_at` datetime NULL, `completed_at` datetime NULL, `quota_refunded` bool NOT NULL DEFAULT (false), `source` text NOT NULL DEFAULT ('manual'), `site_id` text NULL, `monitor_id` text NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `scans_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "scans" to new temporary table "new_scans"
INSERT INTO `new_scans` (`id`, `created_at`, `updated_at`, `target_url`, `target_domain`, `depth`, `status`, `overall_score`, `grade`, `findings_count`, `final_url`, `duration_ms`, `error`, `result`, `job_id`, `cancel_requested`, `claim`, `heartbeat_at`, `started_at`, `completed_at`, `quota_refunded`, `account_id`) SELECT `id`, `created_at`, `updated_at`, `target_url`, `target_domain`, `depth`, `status`, `overall_score`, `grade`, `findings_count`, `final_url`, `duration_ms`, `error`, `result`, `job_id`, `cancel_requested`, `claim`, `heartbeat_at`, `started_at`, `completed_at`, `quota_refunded`, `account_id` FROM `scans`;
-- Drop "scans" table after copying rows
DROP TABLE `scans`;
-- Rename temporary table "new_scans" to "scans"
ALTER TABLE `new_scans` RENAME TO `scans`;
-- Create index "scan_account_id" to table: "scans"
CREATE INDEX `scan_account_id` ON `scans` (`account_id`);
-- Create index "scan_account_id_created_at_id" to table: "scans"
CREATE INDEX `scan_account_id_created_at_id` ON `scans` (`account_id`, `created_at`, `id`);
-- Create index "scan_account_id_status_created_at_id" to table: "scans"
CREATE INDEX `scan_account_id_status_created_at_id` ON `scans` (`account_id`, `status`, `created_at`, `id`);
-- Create index "scan_account_id_target_domain_created_at_id" to table: "scans"
CREATE INDEX `scan_account_id_target_domain_created_at_id` ON `scans` (`account_id`, `target_domain`, `created_at`, `id`);
-- Create index "scan_status_updated_at" to table: "scans"
CREATE INDEX `scan_status_updated_at` ON `scans` (`status`, `updated_at`);
-- Create index "scan_account_id_site_id_created_at_id" to table: "scans"
CREATE INDEX `scan_account_id_site_id_created_at_id` ON `scans` (`account_id`, `site_id`, `created_at`, `id`);
-- Create "alerts" table
CREATE TABLE `alerts` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `site_id` text NULL, `scan_id` text NULL, `previous_scan_id` text NULL, `kind` text NOT NULL, `dedupe_key` text NOT NULL, `subject` text NOT NULL, `payload` text NOT NULL, `account_id` text NOT NULL, `monitor_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `alerts_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE, CONSTRAINT `alerts_monitors_alerts_raised` FOREIGN KEY (`monitor_id`) REFERENCES `monitors` (`id`) ON DELETE CASCADE);
-- Create index "alert_account_id" to table: "alerts"
CREATE INDEX `alert_account_id` ON `alerts` (`account_id`);
-- Create index "alert_account_id_dedupe_key" to table: "alerts"
CREATE UNIQUE INDEX `alert_account_id_dedupe_key` ON `alerts` (`account_id`, `dedupe_key`);
-- Create index "alert_account_id_created_at_id" to table: "alerts"
CREATE INDEX `alert_account_id_created_at_id` ON `alerts` (`account_id`, `created_at`, `id`);
-- Create index "alert_monitor_id_created_at" to table: "alerts"
CREATE INDEX `alert_monitor_id_created_at` ON `alerts` (`monitor_id`, `created_at`);
-- Create "deliveries" table
CREATE TABLE `deliveries` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `channel` text NOT NULL, `target` text NOT NULL, `webhook_id` text NULL, `status` text NOT NULL DEFAULT ('pending'), `attempts` integer NOT NULL DEFAULT (0), `log` json NULL, `last_status_code` integer NULL, `last_error` text NULL, `delivered_at` datetime NULL, `job_id` integer NULL, `alert_id` text NOT NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `deliveries_alerts_deliveries` FOREIGN KEY (`alert_id`) REFERENCES `alerts` (`id`) ON DELETE CASCADE, CONSTRAINT `deliveries_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Create index "delivery_account_id" to table: "deliveries"
CREATE INDEX `delivery_account_id` ON `deliveries` (`account_id`);
-- Create index "delivery_account_id_created_at_id" to table: "deliveries"
CREATE INDEX `delivery_account_id_created_at_id` ON `deliveries` (`account_id`, `created_at`, `id`);
-- Create index "delivery_webhook_id_created_at" to table: "deliveries"
CREATE INDEX `delivery_webhook_id_created_at` ON `deliveries` (`webhook_id`, `created_at`);
-- Create "monitors" table
CREATE TABLE `monitors` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `frequency` text NOT NULL, `hour` integer NOT NULL DEFAULT (6), `jitter_seconds` integer NOT NULL DEFAULT (0), `depth` text NOT NULL DEFAULT ('QUICK'), `active` bool NOT NULL DEFAULT (true), `alerts` json NOT NULL, `state` json NULL, `state_version` integer NOT NULL DEFAULT (0), `next_run_at` datetime NOT NULL, `last_slot` datetime NULL, `last_run_at` datetime NULL, `last_scan_id` text NULL, `last_skip` text NULL, `created_by` text NULL, `account_id` text NOT NULL, `site_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `monitors_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE, CONSTRAINT `monitors_sites_monitor` FOREIGN KEY (`site_id`) REFERENCES `sites` (`id`) ON DELETE CASCADE);
-- Create index "monitors_site_id_key" to table: "monitors"
CREATE UNIQUE INDEX `monitors_site_id_key` ON `monitors` (`site_id`);
-- Create index "monitor_account_id" to table: "monitors"
CREATE INDEX `monitor_account_id` ON `monitors` (`account_id`);
-- Create index "monitor_account_id_site_id" to table: "monitors"
CREATE UNIQUE INDEX `monitor_account_id_site_id` ON `monitors` (`account_id`, `site_id`);
-- Create index "monitor_active_next_run_at" to table: "monitors"
CREATE INDEX `monitor_active_next_run_at` ON `monitors` (`active`, `next_run_at`);
-- Create index "monitor_account_id_created_at_id" to table: "monitors"
CREATE INDEX `monitor_account_id_created_at_id` ON `monitors` (`account_id`, `created_at`, `id`);
-- Create "sites" table
CREATE TABLE `sites` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `target_url` text NOT NULL, `target_key` text NOT NULL, `target_domain` text NOT NULL, `label` text NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sites_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Create index "site_account_id" to table: "sites"
CREATE INDEX `site_account_id` ON `sites` (`account_id`);
-- Create index "site_account_id_target_key" to table: "sites"
CREATE UNIQUE INDEX `site_account_id_target_key` ON `sites` (`account_id`, `target_key`);
-- Create index "site_account_id_created_at_id" to table: "sites"
CREATE INDEX `site_account_id_created_at_id` ON `sites` (`account_id`, `created_at`, `id`);
-- Create "webhooks" table
CREATE TABLE `webhooks` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `url` text NOT NULL, `format` text NOT NULL DEFAULT ('json'), `active` bool NOT NULL DEFAULT (true), `created_by` text NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhooks_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Create index "webhook_account_id" to table: "webhooks"
CREATE INDEX `webhook_account_id` ON `webhooks` (`account_id`);
-- Create index "webhook_account_id_url" to table: "webhooks"
CREATE UNIQUE INDEX `webhook_account_id_url` ON `webhooks` (`account_id`, `url`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
