-- Create "accounts" table
CREATE TABLE "accounts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "plan" character varying NOT NULL DEFAULT 'free', "stripe_customer_id" character varying NULL, "stripe_subscription_id" character varying NULL, "subscription_status" character varying NULL, "subscription_updated_at" timestamptz NULL, "plan_period_end" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "accounts_stripe_customer_id_key" to table: "accounts"
CREATE UNIQUE INDEX "accounts_stripe_customer_id_key" ON "accounts" ("stripe_customer_id");
-- Create "kvs" table
CREATE TABLE "kvs" ("id" character varying NOT NULL, "value" bytea NOT NULL, "expires_at" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "kv_expires_at" to table: "kvs"
CREATE INDEX "kv_expires_at" ON "kvs" ("expires_at");
-- Create "rate_limits" table
CREATE TABLE "rate_limits" ("id" character varying NOT NULL, "tat" bigint NOT NULL DEFAULT 0, "nonce" character varying NULL, PRIMARY KEY ("id"));
-- Create "stripe_events" table
CREATE TABLE "stripe_events" ("id" character varying NOT NULL, "type" character varying NOT NULL, "account_id" character varying NULL, "created_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create "api_keys" table
CREATE TABLE "api_keys" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "prefix" character varying NOT NULL, "key_hash" character varying NOT NULL, "created_by" character varying NULL, "last_used_at" timestamptz NULL, "request_count" bigint NOT NULL DEFAULT 0, "expires_at" timestamptz NULL, "revoked_at" timestamptz NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "api_keys_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "api_keys_key_hash_key" to table: "api_keys"
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" ("key_hash");
-- Create index "apikey_account_id" to table: "api_keys"
CREATE INDEX "apikey_account_id" ON "api_keys" ("account_id");
-- Create index "apikey_account_id_created_at" to table: "api_keys"
CREATE INDEX "apikey_account_id_created_at" ON "api_keys" ("account_id", "created_at");
-- Create "scans" table
CREATE TABLE "scans" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "target_url" character varying NOT NULL, "target_domain" character varying NOT NULL, "depth" character varying NOT NULL DEFAULT 'STANDARD', "status" character varying NOT NULL DEFAULT 'PENDING', "overall_score" bigint NULL, "grade" character varying NULL, "findings_count" bigint NOT NULL DEFAULT 0, "final_url" character varying NULL, "duration_ms" bigint NULL, "error" character varying NULL, "result" text NULL, "job_id" bigint NULL, "cancel_requested" boolean NOT NULL DEFAULT false, "claim" character varying NULL, "heartbeat_at" timestamptz NULL, "started_at" timestamptz NULL, "completed_at" timestamptz NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "scans_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "scan_account_id" to table: "scans"
CREATE INDEX "scan_account_id" ON "scans" ("account_id");
-- Create index "scan_account_id_created_at_id" to table: "scans"
CREATE INDEX "scan_account_id_created_at_id" ON "scans" ("account_id", "created_at", "id");
-- Create index "scan_account_id_status_created_at_id" to table: "scans"
CREATE INDEX "scan_account_id_status_created_at_id" ON "scans" ("account_id", "status", "created_at", "id");
-- Create index "scan_account_id_target_domain_created_at_id" to table: "scans"
CREATE INDEX "scan_account_id_target_domain_created_at_id" ON "scans" ("account_id", "target_domain", "created_at", "id");
-- Create index "scan_status_updated_at" to table: "scans"
CREATE INDEX "scan_status_updated_at" ON "scans" ("status", "updated_at");
-- Create "findings" table
CREATE TABLE "findings" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "check_id" character varying NOT NULL, "category" character varying NOT NULL, "severity" character varying NOT NULL, "title" character varying NOT NULL, "description" text NULL, "recommendation" text NULL, "evidence" text NULL, "account_id" character varying NOT NULL, "scan_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "findings_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "findings_scans_findings" FOREIGN KEY ("scan_id") REFERENCES "scans" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "finding_account_id" to table: "findings"
CREATE INDEX "finding_account_id" ON "findings" ("account_id");
-- Create index "finding_scan_id" to table: "findings"
CREATE INDEX "finding_scan_id" ON "findings" ("scan_id");
-- Create "invites" table
CREATE TABLE "invites" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "token_hash" character varying NOT NULL, "email" character varying NULL, "role" character varying NOT NULL DEFAULT 'member', "expires_at" timestamptz NOT NULL, "accepted_at" timestamptz NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "invites_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "invite_account_id" to table: "invites"
CREATE INDEX "invite_account_id" ON "invites" ("account_id");
-- Create index "invites_token_hash_key" to table: "invites"
CREATE UNIQUE INDEX "invites_token_hash_key" ON "invites" ("token_hash");
-- Create "reports" table
CREATE TABLE "reports" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "version" bigint NOT NULL, "title" character varying NOT NULL, "status" character varying NOT NULL DEFAULT 'PENDING', "pdf_size" bigint NOT NULL DEFAULT 0, "sha256" character varying NULL, "storage" character varying NOT NULL DEFAULT 'db', "error" character varying NULL, "account_id" character varying NOT NULL, "scan_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "reports_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "reports_scans_reports" FOREIGN KEY ("scan_id") REFERENCES "scans" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "report_account_id" to table: "reports"
CREATE INDEX "report_account_id" ON "reports" ("account_id");
-- Create index "report_account_id_created_at_id" to table: "reports"
CREATE INDEX "report_account_id_created_at_id" ON "reports" ("account_id", "created_at", "id");
-- Create index "report_scan_id_version" to table: "reports"
CREATE UNIQUE INDEX "report_scan_id_version" ON "reports" ("scan_id", "version");
-- Create "report_files" table
CREATE TABLE "report_files" ("id" character varying NOT NULL, "data" bytea NOT NULL, "report_file" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "report_files_reports_file" FOREIGN KEY ("report_file") REFERENCES "reports" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "report_files_report_file_key" to table: "report_files"
CREATE UNIQUE INDEX "report_files_report_file_key" ON "report_files" ("report_file");
-- Create "scan_counts" table
CREATE TABLE "scan_counts" ("id" bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY, "status" character varying NOT NULL, "n" bigint NOT NULL DEFAULT 0, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "scan_counts_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "scancount_account_id" to table: "scan_counts"
CREATE INDEX "scancount_account_id" ON "scan_counts" ("account_id");
-- Create index "scancount_account_id_status" to table: "scan_counts"
CREATE UNIQUE INDEX "scancount_account_id_status" ON "scan_counts" ("account_id", "status");
-- Create "scan_events" table
CREATE TABLE "scan_events" ("id" bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY, "kind" character varying NOT NULL, "check_id" character varying NULL, "name" character varying NULL, "status" character varying NULL, "created_at" timestamptz NOT NULL, "scan_id" character varying NOT NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "scan_events_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "scan_events_scans_events" FOREIGN KEY ("scan_id") REFERENCES "scans" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "scanevent_account_id" to table: "scan_events"
CREATE INDEX "scanevent_account_id" ON "scan_events" ("account_id");
-- Create index "scanevent_scan_id" to table: "scan_events"
CREATE INDEX "scanevent_scan_id" ON "scan_events" ("scan_id");
-- Create "users" table
CREATE TABLE "users" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "email" character varying NOT NULL, "name" character varying NULL, "password_hash" character varying NOT NULL, "role" character varying NOT NULL DEFAULT 'owner', "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "users_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "user_account_id" to table: "users"
CREATE INDEX "user_account_id" ON "users" ("account_id");
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX "users_email_key" ON "users" ("email");
-- Create "sessions" table
CREATE TABLE "sessions" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "token_hash" character varying NOT NULL, "last_seen_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "account_id" character varying NOT NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sessions_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "sessions_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "session_account_id" to table: "sessions"
CREATE INDEX "session_account_id" ON "sessions" ("account_id");
-- Create index "session_expires_at" to table: "sessions"
CREATE INDEX "session_expires_at" ON "sessions" ("expires_at");
-- Create index "session_user_id" to table: "sessions"
CREATE INDEX "session_user_id" ON "sessions" ("user_id");
-- Create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions" ("token_hash");
-- Create "usages" table
CREATE TABLE "usages" ("id" bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "period" character varying NOT NULL, "scans" bigint NOT NULL DEFAULT 0, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "usages_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "usage_account_id" to table: "usages"
CREATE INDEX "usage_account_id" ON "usages" ("account_id");
-- Create index "usage_account_id_period" to table: "usages"
CREATE UNIQUE INDEX "usage_account_id_period" ON "usages" ("account_id", "period");
