-- Modify "api_keys" table
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_accounts_account", ADD CONSTRAINT "api_keys_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "scans" table
ALTER TABLE "scans" DROP CONSTRAINT "scans_accounts_account", ADD CONSTRAINT "scans_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "findings" table
ALTER TABLE "findings" DROP CONSTRAINT "findings_accounts_account", DROP CONSTRAINT "findings_scans_findings", ADD CONSTRAINT "findings_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "findings_scans_findings" FOREIGN KEY ("scan_id") REFERENCES "scans" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "invites" table
ALTER TABLE "invites" DROP CONSTRAINT "invites_accounts_account", ADD CONSTRAINT "invites_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "reports" table
ALTER TABLE "reports" DROP CONSTRAINT "reports_accounts_account", DROP CONSTRAINT "reports_scans_reports", ADD CONSTRAINT "reports_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "reports_scans_reports" FOREIGN KEY ("scan_id") REFERENCES "scans" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "report_files" table
ALTER TABLE "report_files" DROP CONSTRAINT "report_files_reports_file", ADD CONSTRAINT "report_files_reports_file" FOREIGN KEY ("report_file") REFERENCES "reports" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "scan_counts" table
ALTER TABLE "scan_counts" DROP CONSTRAINT "scan_counts_accounts_account", ADD CONSTRAINT "scan_counts_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "scan_events" table
ALTER TABLE "scan_events" DROP CONSTRAINT "scan_events_accounts_account", DROP CONSTRAINT "scan_events_scans_events", ADD CONSTRAINT "scan_events_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "scan_events_scans_events" FOREIGN KEY ("scan_id") REFERENCES "scans" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "users" table
ALTER TABLE "users" DROP CONSTRAINT "users_accounts_account", ADD CONSTRAINT "users_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "sessions" table
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_accounts_account", DROP CONSTRAINT "sessions_users_user", ADD CONSTRAINT "sessions_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "sessions_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Modify "usages" table
ALTER TABLE "usages" DROP CONSTRAINT "usages_accounts_account", ADD CONSTRAINT "usages_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
