-- Modify "findings" table
ALTER TABLE "findings" ADD COLUMN "fix" text NULL;
-- Modify "scans" table
ALTER TABLE "scans" ADD COLUMN "quota_refunded" boolean NOT NULL DEFAULT false;
