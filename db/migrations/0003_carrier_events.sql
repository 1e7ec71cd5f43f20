CREATE TABLE "carrier_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"carrier" text NOT NULL,
	"event_id" text NOT NULL,
	"tracking_number" text NOT NULL,
	"status" text NOT NULL,
	"mapped" text NOT NULL,
	"occurred_at" timestamp (3) with time zone,
	"payload" jsonb NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"case_id" text,
	"applied_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "carrier_events" ADD CONSTRAINT "carrier_events_case_id_return_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."return_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "carrier_events_event" ON "carrier_events" USING btree ("carrier","event_id");--> statement-breakpoint
CREATE INDEX "carrier_events_tracking" ON "carrier_events" USING btree ("tracking_number");