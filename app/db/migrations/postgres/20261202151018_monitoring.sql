-- Modify "accounts" table
ALTER TABLE "accounts" ADD COLUMN "webhook_secret" character varying NULL, ADD COLUMN "webhook_secret_hint" character varying NULL, ADD COLUMN "webhook_secret_at" timestamptz NULL;
-- Modify "scans" table
ALTER TABLE "scans" ADD COLUMN "source" character varying NOT NULL DEFAULT 'manual', ADD COLUMN "site_id" character varying NULL, ADD COLUMN "monitor_id" character varying NULL;
-- Create index "scan_account_id_site_id_created_at_id" to table: "scans"
CREATE INDEX "scan_account_id_site_id_created_at_id" ON "scans" ("account_id", "site_id", "created_at", "id");
-- Modify "usages" table
ALTER TABLE "usages" ADD COLUMN "monitor_runs" bigint NOT NULL DEFAULT 0;
-- Create "sites" table
CREATE TABLE "sites" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "target_url" character varying NOT NULL, "target_key" character varying NOT NULL, "target_domain" character varying NOT NULL, "label" character varying NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sites_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "site_account_id" to table: "sites"
CREATE INDEX "site_account_id" ON "sites" ("account_id");
-- Create index "site_account_id_created_at_id" to table: "sites"
CREATE INDEX "site_account_id_created_at_id" ON "sites" ("account_id", "created_at", "id");
-- Create index "site_account_id_target_key" to table: "sites"
CREATE UNIQUE INDEX "site_account_id_target_key" ON "sites" ("account_id", "target_key");
-- Create "monitors" table
CREATE TABLE "monitors" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "frequency" character varying NOT NULL, "hour" bigint NOT NULL DEFAULT 6, "jitter_seconds" bigint NOT NULL DEFAULT 0, "depth" character varying NOT NULL DEFAULT 'QUICK', "active" boolean NOT NULL DEFAULT true, "alerts" jsonb NOT NULL, "state" jsonb NULL, "state_version" bigint NOT NULL DEFAULT 0, "next_run_at" timestamptz NOT NULL, "last_slot" timestamptz NULL, "last_run_at" timestamptz NULL, "last_scan_id" character varying NULL, "last_skip" character varying NULL, "created_by" character varying NULL, "account_id" character varying NOT NULL, "site_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "monitors_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "monitors_sites_monitor" FOREIGN KEY ("site_id") REFERENCES "sites" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "monitor_account_id" to table: "monitors"
CREATE INDEX "monitor_account_id" ON "monitors" ("account_id");
-- Create index "monitor_account_id_created_at_id" to table: "monitors"
CREATE INDEX "monitor_account_id_created_at_id" ON "monitors" ("account_id", "created_at", "id");
-- Create index "monitor_account_id_site_id" to table: "monitors"
CREATE UNIQUE INDEX "monitor_account_id_site_id" ON "monitors" ("account_id", "site_id");
-- Create index "monitor_active_next_run_at" to table: "monitors"
CREATE INDEX "monitor_active_next_run_at" ON "monitors" ("active", "next_run_at");
-- Create index "monitors_site_id_key" to table: "monitors"
CREATE UNIQUE INDEX "monitors_site_id_key" ON "monitors" ("site_id");
-- Create "alerts" table
CREATE TABLE "alerts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "site_id" character varying NULL, "scan_id" character varying NULL, "previous_scan_id" character varying NULL, "kind" character varying NOT NULL, "dedupe_key" character varying NOT NULL, "subject" character varying NOT NULL, "payload" text NOT NULL, "account_id" character varying NOT NULL, "monitor_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "alerts_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "alerts_monitors_alerts_raised" FOREIGN KEY ("monitor_id") REFERENCES "monitors" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "alert_account_id" to table: "alerts"
CREATE INDEX "alert_account_id" ON "alerts" ("account_id");
-- Create index "alert_account_id_created_at_id" to table: "alerts"
CREATE INDEX "alert_account_id_created_at_id" ON "alerts" ("account_id", "created_at", "id");
-- Create index "alert_account_id_dedupe_key" to table: "alerts"
CREATE UNIQUE INDEX "alert_account_id_dedupe_key" ON "alerts" ("account_id", "dedupe_key");
-- Create index "alert_monitor_id_created_at" to table: "alerts"
CREATE INDEX "alert_monitor_id_created_at" ON "alerts" ("monitor_id", "created_at");
-- Create "deliveries" table
CREATE TABLE "deliveries" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "channel" character varying NOT NULL, "target" character varying NOT NULL, "webhook_id" character varying NULL, "status" character varying NOT NULL DEFAULT 'pending', "attempts" bigint NOT NULL DEFAULT 0, "log" jsonb NULL, "last_status_code" bigint NULL, "last_error" character varying NULL, "delivered_at" timestamptz NULL, "job_id" bigint NULL, "alert_id" character varying NOT NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "deliveries_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "deliveries_alerts_deliveries" FOREIGN KEY ("alert_id") REFERENCES "alerts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "delivery_account_id" to table: "deliveries"
CREATE INDEX "delivery_account_id" ON "deliveries" ("account_id");
-- Create index "delivery_account_id_created_at_id" to table: "deliveries"
CREATE INDEX "delivery_account_id_created_at_id" ON "deliveries" ("account_id", "created_at", "id");
-- Create index "delivery_webhook_id_created_at" to table: "deliveries"
CREATE INDEX "delivery_webhook_id_created_at" ON "deliveries" ("webhook_id", "created_at");
-- Create "webhooks" table
CREATE TABLE "webhooks" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "url" character varying NOT NULL, "format" character varying NOT NULL DEFAULT 'json', "active" boolean NOT NULL DEFAULT true, "created_by" character varying NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhooks_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "webhook_account_id" to table: "webhooks"
CREATE INDEX "webhook_account_id" ON "webhooks" ("account_id");
-- Create index "webhook_account_id_url" to table: "webhooks"
CREATE UNIQUE INDEX "webhook_account_id_url" ON "webhooks" ("account_id", "url");
