CREATE TABLE "label_documents" (
	"tracking_number" text NOT NULL,
	"input_hash" text NOT NULL,
	"case_id" text,
	"parcel_no" integer NOT NULL,
	"pdf" "bytea" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "label_documents_tracking_number_input_hash_pk" PRIMARY KEY("tracking_number","input_hash")
);
--> statement-breakpoint
ALTER TABLE "label_documents" ADD CONSTRAINT "label_documents_case_id_return_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."return_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_placed_idx" ON "orders" USING btree ("placed_at");--> statement-breakpoint
CREATE INDEX "orders_customer_placed_idx" ON "orders" USING btree ("customer_id","placed_at");--> statement-breakpoint
CREATE INDEX "parcel_scans_case_idx" ON "parcel_scans" USING btree ("case_id","id");--> statement-breakpoint
CREATE INDEX "return_cases_market_created_idx" ON "return_cases" USING btree (("policy" ->> 'market'),"created_at","id");