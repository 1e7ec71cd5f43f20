DROP INDEX "return_cases_stuck_idx";--> statement-breakpoint
CREATE INDEX "customers_email_lower_idx" ON "customers" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "return_cases_stuck_created_idx" ON "return_cases" USING btree ("stuck","created_at","id");