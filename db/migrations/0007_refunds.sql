CREATE TABLE "authorization_holds" (
	"id" serial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"provider" text NOT NULL,
	"payment_reference" text NOT NULL,
	"provider_reference" text,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp (3) with time zone,
	CONSTRAINT "authorization_holds_case_id_unique" UNIQUE("case_id")
);
--> statement-breakpoint
CREATE TABLE "order_payments" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"position" integer NOT NULL,
	"provider" text NOT NULL,
	"reference" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"method" text
);
--> statement-breakpoint
CREATE TABLE "payment_events" (
	"provider" text NOT NULL,
	"event_id" text NOT NULL,
	"refund_id" text,
	"payload" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_events_provider_event_id_pk" PRIMARY KEY("provider","event_id")
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"id" serial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"purpose" text NOT NULL,
	"method" text NOT NULL,
	"credited" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"delivery" bigint NOT NULL,
	"amount" bigint NOT NULL,
	"bonus" bigint DEFAULT 0 NOT NULL,
	"shortfall" bigint DEFAULT 0 NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"purpose" text NOT NULL,
	"slot" text NOT NULL,
	"order_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"payment_id" integer,
	"provider" text NOT NULL,
	"payment_reference" text,
	"provider_reference" text,
	"idempotency_key" text NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"failure_reason" text,
	"requested_at" timestamp (3) with time zone,
	"settled_by" text,
	"note" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp (3) with time zone,
	CONSTRAINT "refunds_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "store_credit_entries" (
	"id" serial PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"code" text NOT NULL,
	"case_id" text,
	"refund_id" text,
	"amount" bigint NOT NULL,
	"bonus" bigint DEFAULT 0 NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "status" text DEFAULT 'recorded' NOT NULL;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "provider" text;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "payment_reference" text;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "provider_reference" text;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "payment_url" text;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "failure_reason" text;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "requested_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "settled_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "delivery_cost" bigint;--> statement-breakpoint
ALTER TABLE "return_cases" ADD COLUMN "refund_method" text DEFAULT 'original_payment' NOT NULL;--> statement-breakpoint
ALTER TABLE "return_cases" ADD COLUMN "refund_due_by" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "authorization_holds" ADD CONSTRAINT "authorization_holds_case_id_return_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."return_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_payments" ADD CONSTRAINT "order_payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_case_id_return_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."return_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_case_id_return_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."return_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_order_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."order_payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "order_payments_position" ON "order_payments" USING btree ("order_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "payouts_step" ON "payouts" USING btree ("case_id","purpose");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_step" ON "refunds" USING btree ("case_id","purpose","slot");--> statement-breakpoint
CREATE INDEX "refunds_status_idx" ON "refunds" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "refunds_provider_ref_idx" ON "refunds" USING btree ("provider","provider_reference");--> statement-breakpoint
CREATE UNIQUE INDEX "store_credit_refund" ON "store_credit_entries" USING btree ("refund_id");--> statement-breakpoint
CREATE INDEX "store_credit_customer_idx" ON "store_credit_entries" USING btree ("customer_id");