PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE `api_keys` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `prefix` text NOT NULL, `key_hash` text NOT NULL, `created_by` text NULL, `last_used_at` datetime NULL, `request_count` integer NOT NULL DEFAULT (0), `expires_at` datetime NULL, `revoked_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `api_keys_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
CREATE TABLE `accounts` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `plan` text NOT NULL DEFAULT ('free'), `stripe_customer_id` text NULL, `stripe_subscription_id` text NULL, `subscription_status` text NULL, `subscription_updated_at` datetime NULL, `plan_period_end` datetime NULL, PRIMARY KEY (`id`));
CREATE TABLE `findings` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `check_id` text NOT NULL, `category` text NOT NULL, `severity` text NOT NULL, `title` text NOT NULL, `description` text NULL, `recommendation` text NULL, `evidence` text NULL, `account_id` text NOT NULL, `scan_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `findings_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION, CONSTRAINT `findings_scans_findings` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE NO ACTION);
CREATE TABLE `invites` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `token_hash` text NOT NULL, `email` text NULL, `role` text NOT NULL DEFAULT ('member'), `expires_at` datetime NOT NULL, `accepted_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `invites_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
CREATE TABLE `kvs` (`id` text NOT NULL, `value` blob NOT NULL, `expires_at` datetime NULL, PRIMARY KEY (`id`));
CREATE TABLE `rate_limits` (`id` text NOT NULL, `tat` integer NOT NULL DEFAULT (0), `nonce` text NULL, PRIMARY KEY (`id`));
CREATE TABLE `reports` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `version` integer NOT NULL, `title` text NOT NULL, `status` text NOT NULL DEFAULT ('PENDING'), `pdf_size` integer NOT NULL DEFAULT (0), `sha256` text NULL, `storage` text NOT NULL DEFAULT ('db'), `error` text NULL, `account_id` text NOT NULL, `scan_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `reports_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION, CONSTRAINT `reports_scans_reports` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE NO ACTION);
CREATE TABLE `report_files` (`id` text NOT NULL, `data` blob NOT NULL, `report_file` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `report_files_reports_file` FOREIGN KEY (`report_file`) REFERENCES `reports` (`id`) ON DELETE NO ACTION);
CREATE TABLE `scans` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `target_url` text NOT NULL, `target_domain` text NOT NULL, `depth` text NOT NULL DEFAULT ('STANDARD'), `status` text NOT NULL DEFAULT ('PENDING'), `overall_score` integer NULL, `grade` text NULL, `findings_count` integer NOT NULL DEFAULT (0), `final_url` text NULL, `duration_ms` integer NULL, `error` text NULL, `result` text NULL, `job_id` integer NULL, `cancel_requested` bool NOT NULL DEFAULT (false), `claim` text NULL, `heartbeat_at` datetime NULL, `started_at` datetime NULL, `completed_at` datetime NULL, `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `scans_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
CREATE TABLE `scan_counts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `status` text NOT NULL, `n` integer NOT NULL DEFAULT (0), `account_id` text NOT NULL, CONSTRAINT `scan_counts_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
CREATE TABLE `scan_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `check_id` text NULL, `name` text NULL, `status` text NULL, `created_at` datetime NOT NULL, `scan_id` text NOT NULL, `account_id` text NOT NULL, CONSTRAINT `scan_events_scans_events` FOREIGN KEY (`scan_id`) REFERENCES `scans` (`id`) ON DELETE NO ACTION, CONSTRAINT `scan_events_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
CREATE TABLE `sessions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `token_hash` text NOT NULL, `last_seen_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `account_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sessions_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION, CONSTRAINT `sessions_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
CREATE TABLE `stripe_events` (`id` text NOT NULL, `type` text NOT NULL, `account_id` text NULL, `created_at` datetime NOT NULL, PRIMARY KEY (`id`));
CREATE TABLE `usages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `period` text NOT NULL, `scans` integer NOT NULL DEFAULT (0), `account_id` text NOT NULL, CONSTRAINT `usages_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
CREATE TABLE `users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NULL, `password_hash` text NOT NULL, `role` text NOT NULL DEFAULT ('owner'), `account_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `users_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION);
CREATE TABLE river_queue (
    name text PRIMARY KEY NOT NULL,
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    metadata blob NOT NULL DEFAULT (json('{}')),
    paused_at timestamp,
    updated_at timestamp NOT NULL
);
CREATE TABLE river_leader (
    elected_at timestamp NOT NULL,
    expires_at timestamp NOT NULL,
    leader_id text NOT NULL,
    name text PRIMARY KEY NOT NULL DEFAULT 'default' CHECK (name = 'default'),
    CONSTRAINT name_length CHECK (length(name) > 0 AND length(name) < 128),
    CONSTRAINT leader_id_length CHECK (length(leader_id) > 0 AND length(leader_id) < 128)
);
CREATE TABLE river_migration (
    line text NOT NULL,
    version integer NOT NULL,
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT line_length CHECK (length(line) > 0 AND length(line) < 128),
    CONSTRAINT version_gte_1 CHECK (version >= 1),
    PRIMARY KEY (line, version)
);
INSERT INTO river_migration VALUES('main',1,'2026-12-01 21:30:45');
INSERT INTO river_migration VALUES('main',2,'2026-12-01 21:30:45');
INSERT INTO river_migration VALUES('main',3,'2026-12-01 21:30:45');
INSERT INTO river_migration VALUES('main',4,'2026-12-01 21:30:45');
INSERT INTO river_migration VALUES('main',5,'2026-12-01 21:30:45');
INSERT INTO river_migration VALUES('main',6,'2026-12-01 21:30:45');
CREATE TABLE river_client (
    id text PRIMARY KEY NOT NULL,
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    metadata blob NOT NULL DEFAULT (json('{}')),
    paused_at timestamp,
    updated_at timestamp NOT NULL,
    CONSTRAINT name_length CHECK (length(id) > 0 AND length(id) < 128)
);
CREATE TABLE river_client_queue (
    river_client_id text NOT NULL REFERENCES river_client (id) ON DELETE CASCADE,
    name text NOT NULL,
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    max_workers integer NOT NULL DEFAULT 0,
    metadata blob NOT NULL DEFAULT (json('{}')),
    num_jobs_completed integer NOT NULL DEFAULT 0,
    num_jobs_running integer NOT NULL DEFAULT 0,
    updated_at timestamp NOT NULL,
    PRIMARY KEY (river_client_id, name),
    CONSTRAINT name_length CHECK (length(name) > 0 AND length(name) < 128),
    CONSTRAINT num_jobs_completed_zero_or_positive CHECK (num_jobs_completed >= 0),
    CONSTRAINT num_jobs_running_zero_or_positive CHECK (num_jobs_running >= 0)
);
CREATE TABLE river_job (
    id integer PRIMARY KEY, -- SQLite makes this autoincrementing automatically
    args blob NOT NULL DEFAULT '{}',
    attempt integer NOT NULL DEFAULT 0,
    attempted_at timestamp,
    attempted_by blob, -- json
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    errors blob, -- json
    finalized_at timestamp,
    kind text NOT NULL,
    max_attempts integer NOT NULL,
    metadata blob NOT NULL DEFAULT (json('{}')),
    priority integer NOT NULL DEFAULT 1,
    queue text NOT NULL DEFAULT 'default',
    state text NOT NULL DEFAULT 'available',
    scheduled_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    tags blob NOT NULL DEFAULT (json('[]')),
    unique_key blob,
    unique_states integer,
    CONSTRAINT finalized_or_finalized_at_null CHECK (
        (finalized_at IS NULL AND state NOT IN ('cancelled', 'completed', 'discarded')) OR
        (finalized_at IS NOT NULL AND state IN ('cancelled', 'completed', 'discarded'))
    ),
    CONSTRAINT priority_in_range CHECK (priority >= 1 AND priority <= 4),
    CONSTRAINT queue_length CHECK (length(queue) > 0 AND length(queue) < 128),
    CONSTRAINT kind_length CHECK (length(kind) > 0 AND length(kind) < 128),
    CONSTRAINT state_valid CHECK (state IN ('available', 'cancelled', 'completed', 'discarded', 'pending', 'retryable', 'running', 'scheduled'))
);
DELETE FROM sqlite_sequence;
CREATE UNIQUE INDEX `api_keys_key_hash_key` ON `api_keys` (`key_hash`);
CREATE INDEX `apikey_account_id` ON `api_keys` (`account_id`);
CREATE INDEX `apikey_account_id_created_at` ON `api_keys` (`account_id`, `created_at`);
CREATE UNIQUE INDEX `accounts_stripe_customer_id_key` ON `accounts` (`stripe_customer_id`);
CREATE INDEX `finding_account_id` ON `findings` (`account_id`);
CREATE INDEX `finding_scan_id` ON `findings` (`scan_id`);
CREATE UNIQUE INDEX `invites_token_hash_key` ON `invites` (`token_hash`);
CREATE INDEX `invite_account_id` ON `invites` (`account_id`);
CREATE INDEX `kv_expires_at` ON `kvs` (`expires_at`);
CREATE INDEX `report_account_id` ON `reports` (`account_id`);
CREATE UNIQUE INDEX `report_scan_id_version` ON `reports` (`scan_id`, `version`);
CREATE INDEX `report_account_id_created_at_id` ON `reports` (`account_id`, `created_at`, `id`);
CREATE UNIQUE INDEX `report_files_report_file_key` ON `report_files` (`report_file`);
CREATE INDEX `scan_account_id` ON `scans` (`account_id`);
CREATE INDEX `scan_account_id_created_at_id` ON `scans` (`account_id`, `created_at`, `id`);
CREATE INDEX `scan_account_id_status_created_at_id` ON `scans` (`account_id`, `status`, `created_at`, `id`);
CREATE INDEX `scan_account_id_target_domain_created_at_id` ON `scans` (`account_id`, `target_domain`, `created_at`, `id`);
CREATE INDEX `scan_status_updated_at` ON `scans` (`status`, `updated_at`);
CREATE INDEX `scancount_account_id` ON `scan_counts` (`account_id`);
CREATE UNIQUE INDEX `scancount_account_id_status` ON `scan_counts` (`account_id`, `status`);
CREATE INDEX `scanevent_account_id` ON `scan_events` (`account_id`);
CREATE INDEX `scanevent_scan_id` ON `scan_events` (`scan_id`);
CREATE UNIQUE INDEX `sessions_token_hash_key` ON `sessions` (`token_hash`);
CREATE INDEX `session_account_id` ON `sessions` (`account_id`);
CREATE INDEX `session_user_id` ON `sessions` (`user_id`);
CREATE INDEX `session_expires_at` ON `sessions` (`expires_at`);
CREATE INDEX `usage_account_id` ON `usages` (`account_id`);
CREATE UNIQUE INDEX `usage_account_id_period` ON `usages` (`account_id`, `period`);
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
CREATE INDEX `user_account_id` ON `users` (`account_id`);
CREATE INDEX river_job_kind ON river_job (kind);
CREATE INDEX river_job_state_and_finalized_at_index ON river_job (state, finalized_at) WHERE finalized_at IS NOT NULL;
CREATE INDEX river_job_prioritized_fetching_index ON river_job (state, queue, priority, scheduled_at, id);
CREATE UNIQUE INDEX river_job_unique_idx ON river_job (unique_key)
    WHERE unique_key IS NOT NULL
        AND unique_states IS NOT NULL
        AND CASE state
            WHEN 'available' THEN unique_states & (1 << 0)
            WHEN 'cancelled' THEN unique_states & (1 << 1)
            WHEN 'completed' THEN unique_states & (1 << 2)
            WHEN 'discarded' THEN unique_states & (1 << 3)
            WHEN 'pending'   THEN unique_states & (1 << 4)
            WHEN 'retryable' THEN unique_states & (1 << 5)
            WHEN 'running'   THEN unique_states & (1 << 6)
            WHEN 'scheduled' THEN unique_states & (1 << 7)
            ELSE 0
        END >= 1;
COMMIT;
