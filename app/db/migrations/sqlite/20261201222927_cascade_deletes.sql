-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_api_keys" table
CREATE TABLE `new_api_keys` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `prefix` text NOT NULL, `key_hash` text NOT NULL, `created_by` text NULL, `last_used_at` datetime NULL, `request_count` integer NOT NULL DEFAULT (0), `expires_at` datetime NULL, `revoked_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `api_keys_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "api_keys" to new temporary table "new_api_keys"
INSERT INTO `new_api_keys` (`id`, `created_at`, `updated_at`, `name`, `prefix`, `key_hash`, `created_by`, `last_used_at`, `request_count`, `expires_at`, `revoked_at`, `account_id`) SELECT `id`, `created_at`, `updated_at`, `name`, `prefix`, `key_hash`, `created_by`, `last_used_at`, `request_count`, `expires_at`, `revoked_at`, `account_id` FROM `api_keys`;
-- Drop "api_keys" table after copying rows
DROP TABLE `api_keys`;
-- Rename temporary table "new_api_keys" to "api_keys"
ALTER TABLE `new_api_keys` RENAME TO `api_keys`;
-- Create index "api_keys_key_hash_key" to table: "api_keys"
CREATE UNIQUE INDEX `api_keys_key_hash_key` ON `api_keys` (`key_hash`);
-- Create index "apikey_account_id" to table: "api_keys"
CREATE INDEX `apikey_account_id` ON `api_keys` (`account_id`);
-- Create index "apikey_account_id_created_at" to table: "api_keys"
CREATE INDEX `apikey_account_id_created_at` ON `api_keys` (`account_id`, `created_at`);
-- Create "new_findings" table
CREATE TABLE `new_findings` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `check_id` text NOT NULL, `category` text NOT NULL, `severity` text NOT NULL, `title` text NOT NULL, `description` text NULL, `recommendation` text NULL, `evidence` text NULL, `account_id` text NOT NULL, `scan_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `findings_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE, CONSTRAINT `findings_scans_findings` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "findings" to new temporary table "new_findings"
INSERT INTO `new_findings` (`id`, `created_at`, `updated_at`, `check_id`, `category`, `severity`, `title`, `description`, `recommendation`, `evidence`, `account_id`, `scan_id`) SELECT `id`, `created_at`, `updated_at`, `check_id`, `category`, `severity`, `title`, `description`, `recommendation`, `evidence`, `account_id`, `scan_id` FROM `findings`;
-- Drop "findings" table after copying rows
DROP TABLE `findings`;
-- Rename temporary table "new_findings" to "findings"
ALTER TABLE `new_findings` RENAME TO `findings`;
-- Create index "finding_account_id" to table: "findings"
CREATE INDEX `finding_account_id` ON `findings` (`account_id`);
-- Create index "finding_scan_id" to table: "findings"
CREATE INDEX `finding_scan_id` ON `findings` (`scan_id`);
-- Create "new_invites" table
CREATE TABLE `new_invites` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `token_hash` text NOT NULL, `email` text NULL, `role` text NOT NULL DEFAULT ('member'), `expires_at` datetime NOT NULL, `accepted_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `invites_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "invites" to new temporary table "new_invites"
INSERT INTO `new_invites` (`id`, `created_at`, `updated_at`, `token_hash`, `email`, `role`, `expires_at`, `accepted_at`, `account_id`) SELECT `id`, `created_at`, `updated_at`, `token_hash`, `email`, `role`, `expires_at`, `accepted_at`, `account_id` FROM `invites`;
-- Drop "invites" table after copying rows
DROP TABLE `invites`;
-- Rename temporary table "new_invites" to "invites"
ALTER TABLE `new_invites` RENAME TO `invites`;
-- Create index "invites_token_hash_key" to table: "invites"
CREATE UNIQUE INDEX `invites_token_hash_key` ON `invites` (`token_hash`);
-- Create index "invite_account_id" to table: "invites"
CREATE INDEX `invite_account_id` ON `invites` (`account_id`);
-- Create "new_reports" table
CREATE TABLE `new_reports` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `version` integer NOT NULL, `title` text NOT NULL, `status` text NOT NULL DEFAULT ('PENDING'), `pdf_size` integer NOT NULL DEFAULT (0), `sha256` text NULL, `storage` text NOT NULL DEFAULT ('db'), `error` text NULL, `account_id` text NOT NULL, `scan_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `reports_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE, CONSTRAINT `reports_scans_reports` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "reports" to new temporary table "new_reports"
INSERT INTO `new_reports` (`id`, `created_at`, `updated_at`, `version`, `title`, `status`, `pdf_size`, `sha256`, `storage`, `error`, `account_id`, `scan_id`) SELECT `id`, `created_at`, `updated_at`, `version`, `title`, `status`, `pdf_size`, `sha256`, `storage`, `error`, `account_id`, `scan_id` FROM `reports`;
-- Drop "reports" table after copying rows
DROP TABLE `reports`;
-- Rename temporary table "new_reports" to "reports"
ALTER TABLE `new_reports` RENAME TO `reports`;
-- Create index "report_account_id" to table: "reports"
CREATE INDEX `report_account_id` ON `reports` (`account_id`);
-- Create index "report_scan_id_version" to table: "reports"
CREATE UNIQUE INDEX `report_scan_id_version` ON `reports` (`scan_id`, `version`);
-- Create index "report_account_id_created_at_id" to table: "reports"
CREATE INDEX `report_account_id_created_at_id` ON `reports` (`account_id`, `created_at`, `id`);
-- Create "new_report_files" table
CREATE TABLE `new_report_files` (`id` text NOT NULL, `data` blob NOT NULL, `report_file` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `report_files_reports_file` FOREIGN KEY (`report_file`) REFERENCES `reports` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "report_files" to new temporary table "new_report_files"
INSERT INTO `new_report_files` (`id`, `data`, `report_file`) SELECT `id`, `data`, `report_file` FROM `report_files`;
-- Drop "report_files" table after copying rows
DROP TABLE `report_files`;
-- Rename temporary table "new_report_files" to "report_files"
ALTER TABLE `new_report_files` RENAME TO `report_files`;
-- Create index "report_files_report_file_key" to table: "report_files"
CREATE UNIQUE INDEX `report_files_report_file_key` ON `report_files` (`report_file`);
-- Create "new_scans" table
CREATE TABLE `new_scans` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `target_url` text NOT NULL, `target_domain` text NOT NULL, `depth` text NOT NULL DEFAULT ('STANDARD'), `status` text NOT NULL DEFAULT ('PENDING'), `overall_score` integer NULL, `grade` text NULL, `findings_count` integer NOT NULL DEFAULT (0), `final_url` text NULL, `duration_ms` integer NULL, `error` text NULL, `result` text NULL, `job_id` integer NULL, `cancel_requested` bool NOT NULL DEFAULT (false), `claim` text NULL, `heartbeat_at` datetime NULL, `started_at` datetime NULL, `completed_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `scans_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
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
-- Create "new_scan_counts" table
CREATE TABLE `new_scan_counts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `status` text NOT NULL, `n` integer NOT NULL DEFAULT (0), `account_id` text NOT NULL, CONSTRAINT `scan_counts_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "scan_counts" to new temporary table "new_scan_counts"
INSERT INTO `new_scan_counts` (`id`, `status`, `n`, `account_id`) SELECT `id`, `status`, `n`, `account_id` FROM `scan_counts`;
-- Drop "scan_counts" table after copying rows
DROP TABLE `scan_counts`;
-- Rename temporary table "new_scan_counts" to "scan_counts"
ALTER TABLE `new_scan_counts` RENAME TO `scan_counts`;
-- Create index "scancount_account_id" to table: "scan_counts"
CREATE INDEX `scancount_account_id` ON `scan_counts` (`account_id`);
-- Create index "scancount_account_id_status" to table: "scan_counts"
CREATE UNIQUE INDEX `scancount_account_id_status` ON `scan_counts` (`account_id`, `status`);
-- Create "new_scan_events" table
CREATE TABLE `new_scan_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `check_id` text NULL, `name` text NULL, `status` text NULL, `created_at` datetime NOT NULL, `scan_id` text NOT NULL, `account_id` text NOT NULL, CONSTRAINT `scan_events_scans_events` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE CASCADE, CONSTRAINT `scan_events_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "scan_events" to new temporary table "new_scan_events"
INSERT INTO `new_scan_events` (`id`, `kind`, `check_id`, `name`, `status`, `created_at`, `scan_id`, `account_id`) SELECT `id`, `kind`, `check_id`, `name`, `status`, `created_at`, `scan_id`, `account_id` FROM `scan_events`;
-- Drop "scan_events" table after copying rows
DROP TABLE `scan_events`;
-- Rename temporary table "new_scan_events" to "scan_events"
ALTER TABLE `new_scan_events` RENAME TO `scan_events`;
-- Create index "scanevent_account_id" to table: "scan_events"
CREATE INDEX `scanevent_account_id` ON `scan_events` (`account_id`);
-- Create index "scanevent_scan_id" to table: "scan_events"
CREATE INDEX `scanevent_scan_id` ON `scan_events` (`scan_id`);
-- Create "new_sessions" table
CREATE TABLE `new_sessions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `token_hash` text NOT NULL, `last_seen_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `account_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sessions_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE, CONSTRAINT `sessions_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "sessions" to new temporary table "new_sessions"
INSERT INTO `new_sessions` (`id`, `created_at`, `updated_at`, `token_hash`, `last_seen_at`, `expires_at`, `account_id`, `user_id`) SELECT `id`, `created_at`, `updated_at`, `token_hash`, `last_seen_at`, `expires_at`, `account_id`, `user_id` FROM `sessions`;
-- Drop "sessions" table after copying rows
DROP TABLE `sessions`;
-- Rename temporary table "new_sessions" to "sessions"
ALTER TABLE `new_sessions` RENAME TO `sessions`;
-- Create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX `sessions_token_hash_key` ON `sessions` (`token_hash`);
-- Create index "session_account_id" to table: "sessions"
CREATE INDEX `session_account_id` ON `sessions` (`account_id`);
-- Create index "session_user_id" to table: "sessions"
CREATE INDEX `session_user_id` ON `sessions` (`user_id`);
-- Create index "session_expires_at" to table: "sessions"
CREATE INDEX `session_expires_at` ON `sessions` (`expires_at`);
-- Create "new_usages" table
CREATE TABLE `new_usages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `period` text NOT NULL, `scans` integer NOT NULL DEFAULT (0), `account_id` text NOT NULL, CONSTRAINT `usages_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
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
-- Create "new_users" table
CREATE TABLE `new_users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NULL, `password_hash` text NOT NULL, `role` text NOT NULL DEFAULT ('owner'), `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `users_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "users" to new temporary table "new_users"
INSERT INTO `new_users` (`id`, `created_at`, `updated_at`, `email`, `name`, `password_hash`, `role`, `account_id`) SELECT `id`, `created_at`, `updated_at`, `email`, `name`, `password_hash`, `role`, `account_id` FROM `users`;
-- Drop "users" table after copying rows
DROP TABLE `users`;
-- Rename temporary table "new_users" to "users"
ALTER TABLE `new_users` RENAME TO `users`;
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- Create index "user_account_id" to table: "users"
CREATE INDEX `user_account_id` ON `users` (`account_id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
