-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Add column "fix" to table: "findings"
ALTER TABLE `findings` ADD COLUMN `fix` text NULL;
-- Create "new_scans" table
CREATE TABLE `new_scans` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `target_url` text NOT NULL, `target_domain` text NOT NULL, `depth` text NOT NULL DEFAULT ('STANDARD'), `status` text NOT NULL DEFAULT ('PENDING'), `overall_score` integer NULL, `grade` text NULL, `findings_count` integer NOT NULL DEFAULT (0), `final_url` text NULL, `duration_ms` integer NULL, `error` text NULL, `result` text NULL, `job_id` integer NULL, `cancel_requested` bool NOT NULL DEFAULT (false), `claim` text NULL, `heartbeat_at` datetime NULL, `started_at` datetime NULL, `completed_at` datetime NULL, `quota_refunded` bool NOT NULL DEFAULT (false), `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `scans_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "scans" to new temporary table "new_scans"
INSERT INTO `new_scans` (`id`, `created_at`, `updated_at`, `target_url`, `target_domain`, `depth`, `status`, `overall_score`, `grade`, `findings_count`, `final_url`, `duration_ms`, `error`, `result`, `job_id`, `cancel_requested`, `claim`, `heartbeat_at`, `started_at`, `completed_at`, `account_id`) SELECT `id`, `created_at`, `updated_at`, `target_url`, `target_domain`, `depth`, `status`, `overall_score`, `grade`, `findings_count`, `final_url`, `duration_ms`, `error`, `result`, `job_id`, `cancel_requested`, `claim`, `heartbeat_at`, `started_at`, `completed_at`, `account_id` FROM `scans`;
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
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
