-- Modify "sites" table
ALTER TABLE "sites" ADD COLUMN "share_token_hash" character varying NULL, ADD COLUMN "share_created_at" timestamptz NULL;
-- Create index "sites_share_token_hash_key" to table: "sites"
CREATE UNIQUE INDEX "sites_share_token_hash_key" ON "sites" ("share_token_hash");
