-- Create "api_keys" table
CREATE TABLE `api_keys` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `prefix` text NOT NULL, `key_hash` text NOT NULL, `created_by` text NULL, `last_used_at` datetime NULL, `request_count` integer NOT NULL DEFAULT (0), `expires_at` datetime NULL, `revoked_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `api_keys_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
-- Create index "api_keys_key_hash_key" to table: "api_keys"
CREATE UNIQUE INDEX `api_keys_key_hash_key` ON `api_keys` (`key_hash`);
-- Create index "apikey_account_id" to table: "api_keys"
CREATE INDEX `apikey_account_id` ON `api_keys` (`account_id`);
-- Create index "apikey_account_id_created_at" to table: "api_keys"
CREATE INDEX `apikey_account_id_created_at` ON `api_keys` (`account_id`, `created_at`);
-- Create "accounts" table
CREATE TABLE `accounts` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `plan` text NOT NULL DEFAULT ('free'), `stripe_customer_id` text NULL, `stripe_subscription_id` text NULL, `subscription_status` text NULL, `subscription_updated_at` datetime NULL, `plan_period_end` datetime NULL, PRIMARY KEY (`id`));
-- Create index "accounts_stripe_customer_id_key" to table: "accounts"
CREATE UNIQUE INDEX `accounts_stripe_customer_id_key` ON `accounts` (`stripe_customer_id`);
-- Create "findings" table
CREATE TABLE `findings` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `check_id` text NOT NULL, `category` text NOT NULL, `severity` text NOT NULL, `title` text NOT NULL, `description` text NULL, `recommendation` text NULL, `evidence` text NULL, `account_id` text NOT NULL, `scan_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `findings_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION, CONSTRAINT `findings_scans_findings` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE NO ACTION);
-- Create index "finding_account_id" to table: "findings"
CREATE INDEX `finding_account_id` ON `findings` (`account_id`);
-- Create index "finding_scan_id" to table: "findings"
CREATE INDEX `finding_scan_id` ON `findings` (`scan_id`);
-- Create "invites" table
CREATE TABLE `invites` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `token_hash` text NOT NULL, `email` text NULL, `role` text NOT NULL DEFAULT ('member'), `expires_at` datetime NOT NULL, `accepted_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `invites_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
-- Create index "invites_token_hash_key" to table: "invites"
CREATE UNIQUE INDEX `invites_token_hash_key` ON `invites` (`token_hash`);
-- Create index "invite_account_id" to table: "invites"
CREATE INDEX `invite_account_id` ON `invites` (`account_id`);
-- Create "kvs" table
CREATE TABLE `kvs` (`id` text NOT NULL, `value` blob NOT NULL, `expires_at` datetime NULL, PRIMARY KEY (`id`));
-- Create index "kv_expires_at" to table: "kvs"
CREATE INDEX `kv_expires_at` ON `kvs` (`expires_at`);
-- Create "rate_limits" table
CREATE TABLE `rate_limits` (`id` text NOT NULL, `tat` integer NOT NULL DEFAULT (0), `nonce` text NULL, PRIMARY KEY (`id`));
-- Create "reports" table
CREATE TABLE `reports` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `version` integer NOT NULL, `title` text NOT NULL, `status` text NOT NULL DEFAULT ('PENDING'), `pdf_size` integer NOT NULL DEFAULT (0), `sha256` text NULL, `storage` text NOT NULL DEFAULT ('db'), `error` text NULL, `account_id` text NOT NULL, `scan_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `reports_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION, CONSTRAINT `reports_scans_reports` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE NO ACTION);
-- Create index "report_account_id" to table: "reports"
CREATE INDEX `report_account_id` ON `reports` (`account_id`);
-- Create index "report_scan_id_version" to table: "reports"
CREATE UNIQUE INDEX `report_scan_id_version` ON `reports` (`scan_id`, `version`);
-- Create index "report_account_id_created_at_id" to table: "reports"
CREATE INDEX `report_account_id_created_at_id` ON `reports` (`account_id`, `created_at`, `id`);
-- Create "report_files" table
CREATE TABLE `report_files` (`id` text NOT NULL, `data` blob NOT NULL, `report_file` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `report_files_reports_file` FOREIGN KEY (`report_file`) REFERENCES `reports` (`id`) ON DELETE NO ACTION);
-- Create index "report_files_report_file_key" to table: "report_files"
CREATE UNIQUE INDEX `report_files_report_file_key` ON `report_files` (`report_file`);
-- Create "scans" table
CREATE TABLE `scans` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `target_url` text NOT NULL, `target_domain` text NOT NULL, `depth` text NOT NULL DEFAULT ('STANDARD'), `status` text NOT NULL DEFAULT ('PENDING'), `overall_score` integer NULL, `grade` text NULL, `findings_count` integer NOT NULL DEFAULT (0), `final_url` text NULL, `duration_ms` integer NULL, `error` text NULL, `result` text NULL, `job_id` integer NULL, `cancel_requested` bool NOT NULL DEFAULT (false), `claim` text NULL, `heartbeat_at` datetime NULL, `started_at` datetime NULL, `completed_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `scans_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
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
-- Create "scan_counts" table
CREATE TABLE `scan_counts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `status` text NOT NULL, `n` integer NOT NULL DEFAULT (0), `account_id` text NOT NULL, CONSTRAINT `scan_counts_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
-- Create index "scancount_account_id" to table: "scan_counts"
CREATE INDEX `scancount_account_id` ON `scan_counts` (`account_id`);
-- Create index "scancount_account_id_status" to table: "scan_counts"
CREATE UNIQUE INDEX `scancount_account_id_status` ON `scan_counts` (`account_id`, `status`);
-- Create "scan_events" table
CREATE TABLE `scan_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `check_id` text NULL, `name` text NULL, `status` text NULL, `created_at` datetime NOT NULL, `scan_id` text NOT NULL, `account_id` text NOT NULL, CONSTRAINT `scan_events_scans_events` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE NO ACTION, CONSTRAINT `scan_events_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
-- Create index "scanevent_account_id" to table: "scan_events"
CREATE INDEX `scanevent_account_id` ON `scan_events` (`account_id`);
-- Create index "scanevent_scan_id" to table: "scan_events"
CREATE INDEX `scanevent_scan_id` ON `scan_events` (`scan_id`);
-- Create "sessions" table
CREATE TABLE `sessions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `token_hash` text NOT NULL, `last_seen_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `account_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sessions_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION, CONSTRAINT `sessions_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- Create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX `sessions_token_hash_key` ON `sessions` (`token_hash`);
-- Create index "session_account_id" to table: "sessions"
CREATE INDEX `session_account_id` ON `sessions` (`account_id`);
-- Create index "session_user_id" to table: "sessions"
CREATE INDEX `session_user_id` ON `sessions` (`user_id`);
-- Create index "session_expires_at" to table: "sessions"
CREATE INDEX `session_expires_at` ON `sessions` (`expires_at`);
-- Create "stripe_events" table
CREATE TABLE `stripe_events` (`id` text NOT NULL, `type` text NOT NULL, `account_id` text NULL, `created_at` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create "usages" table
CREATE TABLE `usages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `period` text NOT NULL, `scans` integer NOT NULL DEFAULT (0), `account_id` text NOT NULL, CONSTRAINT `usages_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
-- Create index "usage_account_id" to table: "usages"
CREATE INDEX `usage_account_id` ON `usages` (`account_id`);
-- Create index "usage_account_id_period" to table: "usages"
CREATE UNIQUE INDEX `usage_account_id_period` ON `usages` (`account_id`, `period`);
-- Create "users" table
CREATE TABLE `users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NULL, `password_hash` text NOT NULL, `role` text NOT NULL DEFAULT ('owner'), `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `users_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- Create index "user_account_id" to table: "users"
CREATE INDEX `user_account_id` ON `users` (`account_id`);
