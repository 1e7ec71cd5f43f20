CREATE TABLE "customer_flags" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"cleared_at" timestamp (3) with time zone,
	"cleared_by" text
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "rate_per_minute" integer;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "schedule" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "audience_size" integer;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "address" jsonb;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "marketing_consent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "marketing_consent_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "variant_of" text;--> statement-breakpoint
ALTER TABLE "return_cases" ADD COLUMN "return_address" jsonb;--> statement-breakpoint
ALTER TABLE "return_cases" ADD COLUMN "approval_reason" text;--> statement-breakpoint
ALTER TABLE "customer_flags" ADD CONSTRAINT "customer_flags_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_flags_customer_idx" ON "customer_flags" USING btree ("customer_id","cleared_at");--> statement-breakpoint
CREATE INDEX "return_cases_stuck_idx" ON "return_cases" USING btree ("stuck","waiting_since");--> statement-breakpoint
CREATE INDEX "return_cases_created_idx" ON "return_cases" USING btree ("created_at");