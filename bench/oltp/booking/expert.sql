-- The booking workload's expert index set, written by hand before any advisor ran on this workload.
-- One line per index: the queries it serves and why this shape.
-- customer_login: the tenant, then the very expression compared (lower(email)); LIMIT 1 on an absent e-mail must not scan; partial = live customers
CREATE INDEX customers_tenant_lower_email ON customers (tenant_id, lower(email)) WHERE deleted_at IS NULL;
-- front_desk_phone_or_email: an OR across two columns is a BitmapOr of one index per column; phone is NULL on 40 %: partial
CREATE INDEX customers_phone ON customers (phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_email ON customers (email);
-- customers_with_label: int[] overlap (&&) needs a GIN; labels is NULL on 70 %, so it stays small
CREATE INDEX customers_labels ON customers USING gin (labels);
-- winback_list: a tenant's live customers by sign-up date (the anti-join then probes appointments_customer_start)
CREATE INDEX customers_tenant_created ON customers (tenant_id, created_at) WHERE deleted_at IS NULL;
-- staff_login: expression lookup on a small table that is hit 50 times per unit (existing and absent e-mails)
CREATE INDEX staff_lower_email ON staff (lower(email));
-- staff_day_schedule, slot_conflict, busy_staff_at_location: overlap `start_at < hi AND end_at > lo`; lead with end_at (range on
-- end_at > lo reads only what ends after the window opens: few rows near "now"), start_at second so `start_at < hi` is checked in the index
CREATE INDEX appointments_staff_end ON appointments (staff_id, end_at, start_at);
-- location_week, next_per_location (top 3 per location, LATERAL): a location's calendar in start order; partial = their soft-delete filter
CREATE INDEX appointments_location_start ON appointments (location_id, start_at) WHERE deleted_at IS NULL;
-- customer_history_page (ORDER BY start_at DESC, id ASC: this exact mixed order, no sort), customer_upcoming (backward scan),
-- no_show_counts (IN-list of uuids), winback_list (anti-join probe), erase_customer (the foreign key checked from the child side)
CREATE INDEX appointments_customer_start ON appointments (customer_id, start_at DESC, id);
-- pending_count: the pending sliver (≈ 0.1 % of rows) per tenant: partial, tiny, cheap to maintain
CREATE INDEX appointments_pending ON appointments (tenant_id) WHERE status = 'pending' AND deleted_at IS NULL;
-- tenant_recent_page: a tenant's newest live bookings in ORDER BY order, status = ANY checked on the way
CREATE INDEX appointments_tenant_created ON appointments (tenant_id, created_at, id) WHERE deleted_at IS NULL;
-- payments_for_appointments (= ANY($1) of ids) and the appointments foreign key's child side
CREATE INDEX payments_appointment ON payments (appointment_id);
-- payment_webhook: equality on provider_ref (existing and absent); NULL for cash (35 %): partial, implied by the strict =
CREATE INDEX payments_provider_ref ON payments (provider_ref) WHERE provider_ref IS NOT NULL;
-- failed_payments: the pending/failed sliver (≈ 3 %) per tenant, newest first
CREATE INDEX payments_tenant_open ON payments (tenant_id, created_at) WHERE status IN ('pending', 'failed');
-- daily_revenue: the tenant and the query's own expression date(created_at) (timestamp without time zone: immutable)
CREATE INDEX payments_tenant_day ON payments (tenant_id, date(created_at));
-- notification_queue: pending/failed ≈ 2 % of rows; partial in queue order, LIMIT 100 reads 100 entries
CREATE INDEX notifications_queue ON notifications (scheduled_at) WHERE status IN ('pending', 'failed');
-- customer_notifications and erase_customer's foreign key check from the child side
CREATE INDEX notifications_customer ON notifications (customer_id, scheduled_at);
-- events_by_request: the jsonb expression; 20 % of events carry no request id: partial (implied by the query's strict =)
CREATE INDEX events_request_id ON events ((payload->>'request_id')) WHERE (payload->>'request_id') IS NOT NULL;
-- entity_audit: the entity, then newest first
CREATE INDEX events_entity ON events (entity_type, entity_id, created_at);
-- tenant_events_by_source: a tenant's newest events, the containment checked on the way (source admin is 1 %: ≈ 2k rows for the
-- biggest tenant); a GIN on payload would cost about the table's size on the most-written table (log_event)
CREATE INDEX events_tenant_created ON events (tenant_id, created_at);
-- Not indexed on purpose: locations (3k rows), staff.location_id (10k rows), services, the foreign keys to tenants / staff /
-- services / locations (parents never deleted by this workload), appointments.tenant_id alone (the composites lead with it).
