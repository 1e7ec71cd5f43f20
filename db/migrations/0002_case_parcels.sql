CREATE TABLE "case_parcels" (
	"tracking_number" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"parcel_no" integer NOT NULL,
	"carrier" text NOT NULL,
	"label_url" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_parcels" ADD CONSTRAINT "case_parcels_case_id_return_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."return_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "case_parcels_step" ON "case_parcels" USING btree ("case_id","parcel_no");