CREATE TABLE "label_number_series" (
	"series" text PRIMARY KEY NOT NULL,
	"issued" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "carrier_events" ADD COLUMN "location" text;