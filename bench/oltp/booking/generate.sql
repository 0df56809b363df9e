-- Data for the booking SaaS at scale {scale}: {tenants} clinics (Zipf sizes: P(tenant k) = ln((k+1)/k) / ln(n+1),
-- tenant 1 about 9 % of everything, a long tail of one-room practices), their locations, staff and services
-- (counts by tenant size, ids contiguous per tenant), {customers} customers (uuid keys; 40 % without a phone,
-- 70 % without labels, 3 % soft-deleted), {appointments} appointments booked over three years up to the
-- reference "now" 2026-06-01 (ids and created_at in time order; start_at a few days to two months later;
-- a few regular customers book most; past ones completed / cancelled / no-show, upcoming ones booked /
-- confirmed and a hot sliver pending), a payment per completed visit (a few failed / pending; 35 % cash
-- without provider_ref), a reminder notification per appointment (sent, a few failed, the upcoming ones
-- pending), and an event log (one to three events per appointment, jsonb payload with a request id on
-- 80 %, the source web/api/import and rarely admin). Deterministic: setseed() first, one session.
CREATE TEMP TABLE td AS
SELECT t AS tenant_id, n_loc, n_staff, n_svc,
       (sum(n_loc) OVER w - n_loc)::int AS loc_base, (sum(n_staff) OVER w - n_staff)::int AS staff_base,
       (sum(n_svc) OVER w - n_svc)::int AS svc_base
FROM (SELECT t, 1 + floor({loc_k} * p)::int AS n_loc, 2 + floor({staff_k} * p)::int AS n_staff, 3 + floor({svc_k} * p)::int AS n_svc
      FROM (SELECT t, ln((t + 1.0) / t) / ln({tenants} + 1.0) AS p FROM generate_series(1, {tenants}) t) x) y
WINDOW w AS (ORDER BY t);
ANALYZE td;

INSERT INTO tenants (id, name, plan, created_at)
SELECT t, 'Clinic ' || initcap(v.w) || ' ' || t, CASE WHEN t <= 20 THEN 'enterprise' WHEN t <= 300 THEN 'pro' ELSE 'basic' END,
       '2019-01-01'::timestamptz + (t::float / {tenants}) * interval '1500 days'
FROM generate_series(1, {tenants}) t JOIN vocab v ON v.r = 63 + t % 3000;

INSERT INTO locations (id, tenant_id, name, timezone, deleted_at)
SELECT td.loc_base + i, td.tenant_id, 'Site ' || i, (ARRAY['Europe/Berlin','Europe/London','America/New_York','Asia/Tokyo'])[1 + td.tenant_id % 4],
       CASE WHEN i > 1 AND random() < 0.05 THEN '2025-03-01'::timestamptz END
FROM td, generate_series(1, td.n_loc) i;

INSERT INTO staff (id, tenant_id, location_id, email, name, role, active, created_at)
SELECT td.staff_base + i, td.tenant_id, td.loc_base + 1 + (i - 1) % td.n_loc,
       initcap(v1.w) || '.' || initcap(v2.w) || (td.staff_base + i) || '@Clinic' || td.tenant_id || '.example.org',
       initcap(v1.w) || ' ' || initcap(v2.w),
       CASE WHEN i % 10 = 0 THEN 'reception' WHEN i % 25 = 1 THEN 'admin' ELSE 'practitioner' END,
       random() < 0.93, '2020-01-01'::timestamptz + random() * interval '1900 days'
FROM td, generate_series(1, td.n_staff) i
JOIN vocab v1 ON v1.r = 1 + i % 62 JOIN vocab v2 ON v2.r = 63 + (i * 13) % 2500;

INSERT INTO services (id, tenant_id, name, duration_min, price)
SELECT td.svc_base + i, td.tenant_id, 'Service ' || i, (ARRAY[15, 30, 30, 45, 60, 90])[1 + i % 6], 20 + (i * 7) % 180
FROM td, generate_series(1, td.n_svc) i;

-- customer k: uuid md5('c' || k), its tenant a deterministic Zipf draw from a multiplicative hash of k
-- (so the appointments below can find both from k alone)
INSERT INTO customers (id, tenant_id, email, phone, name, labels, marketing_opt_in, created_at, deleted_at)
SELECT md5('c' || g.k)::uuid, g.t,
       initcap(v1.w) || '.' || initcap(v2.w) || g.k || '@Mail' || (g.k % 30) || '.example.com',
       CASE WHEN random() < 0.6 THEN '+49' || (1500000000 + (g.k::bigint * 7919) % 98000000)::text END,
       initcap(v1.w) || ' ' || initcap(v2.w),
       CASE WHEN random() < 0.3 THEN ARRAY(SELECT DISTINCT least(300, floor(exp(random() * ln(301))))::int
                                          FROM generate_series(1, 1 + g.k % 3) j WHERE j > 0 * g.k) END,
       random() < 0.4,
       '2020-01-01'::timestamptz + (g.k::float / {customers}) * interval '2343 days',
       CASE WHEN random() < 0.03 THEN '2025-11-01'::timestamptz END
FROM (SELECT k, least({tenants}, floor(exp(((k::bigint * 2654435761) % 4294967296)::float8 / 4294967296.0 * ln({tenants} + 1.0))))::int AS t
      FROM generate_series(1, {customers}) k) g
JOIN vocab v1 ON v1.r = 1 + g.k % 62 JOIN vocab v2 ON v2.r = 63 + (g.k * 7) % 4000;

-- appointments: customer ordinal k power-law (regulars book most), its tenant by the same hash;
-- staff, location and service random within the tenant; ids in booking (created_at) order
INSERT INTO appointments (id, tenant_id, location_id, staff_id, service_id, customer_id, start_at, end_at, status, notes,
                          created_at, cancelled_at, deleted_at)
SELECT h.a, h.t, td.loc_base + 1 + h.si % td.n_loc, td.staff_base + 1 + h.si, td.svc_base + 1 + h.vi % td.n_svc,
       md5('c' || h.k)::uuid, h.start_at, h.start_at + (ARRAY[15, 30, 30, 45, 60, 90])[1 + h.vi % 6] * interval '1 minute',
       h.status, CASE WHEN h.nr < 0.15 THEN s.s END, h.created,
       CASE WHEN h.status = 'cancelled' THEN h.created + (h.start_at - h.created) * h.nr END,
       CASE WHEN h.dr < 0.02 THEN '2026-01-15'::timestamptz END
FROM (SELECT g.*, floor(random() * td0.n_staff)::int AS si, floor(random() * 1000)::int AS vi, random() AS nr, random() AS dr,
             CASE WHEN g.start_at < '2026-06-01'::timestamptz
                  THEN CASE WHEN g.r < 0.06 THEN 'cancelled' WHEN g.r < 0.10 THEN 'no_show' ELSE 'completed' END
                  ELSE CASE WHEN g.r < 0.05 THEN 'pending' WHEN g.r < 0.12 THEN 'cancelled' WHEN g.r < 0.55 THEN 'booked' ELSE 'confirmed' END
             END AS status
      FROM (SELECT f.*, date_trunc('hour', f.created + power(random(), 3) * interval '60 days' + interval '1 hour')
                        + floor(random() * 4) * interval '15 minutes' AS start_at, random() AS r
            FROM (SELECT a, k, least({tenants}, floor(exp(((k::bigint * 2654435761) % 4294967296)::float8 / 4294967296.0 * ln({tenants} + 1.0))))::int AS t,
                         '2023-06-01'::timestamptz + (a::float / {appointments}) * interval '1096 days' AS created
                  FROM (SELECT a, 1 + floor({customers} * power(random(), 1.7))::int AS k FROM generate_series(1, {appointments}) a) e) f) g
      JOIN td td0 ON td0.tenant_id = g.t) h
JOIN td ON td.tenant_id = h.t
LEFT JOIN sent s ON s.i = 1 + h.vi * 19;

-- a payment per completed visit (timestamp without time zone, the legacy column); a few failed or stuck pending
INSERT INTO payments (id, appointment_id, tenant_id, amount, method, status, provider_ref, created_at)
SELECT md5('p' || g.id)::uuid, g.id, g.tenant_id, 20 + (g.id * 7) % 180,
       CASE WHEN g.cash THEN 'cash' ELSE 'card' END,
       CASE WHEN g.r < 0.95 THEN 'succeeded' WHEN g.r < 0.97 THEN 'refunded' WHEN g.r < 0.995 THEN 'failed' ELSE 'pending' END,
       CASE WHEN NOT g.cash THEN 'ch_' || substr(md5('r' || g.id), 1, 24) END,
       (g.end_at AT TIME ZONE 'UTC') + interval '10 minutes'
FROM (SELECT a.id, a.tenant_id, a.end_at, random() AS r, random() < 0.35 AS cash FROM appointments a WHERE a.status = 'completed') g;

-- a reminder 24 h before each appointment: sent (0.4 % failed) in the past, a six-hour backlog and the upcoming ones pending
INSERT INTO notifications (tenant_id, customer_id, appointment_id, channel, status, scheduled_at, sent_at, attempts)
SELECT g.tenant_id, g.customer_id, g.id, CASE WHEN g.r2 < 0.7 THEN 'email' WHEN g.r2 < 0.95 THEN 'sms' ELSE 'push' END,
       CASE WHEN g.sched < '2026-05-31 18:00+00'::timestamptz THEN CASE WHEN g.r < 0.004 THEN 'failed' ELSE 'sent' END ELSE 'pending' END,
       g.sched,
       CASE WHEN g.sched < '2026-05-31 18:00+00'::timestamptz AND g.r >= 0.004 THEN g.sched + g.r2 * interval '2 minutes' END,
       CASE WHEN g.sched < '2026-05-31 18:00+00'::timestamptz THEN CASE WHEN g.r < 0.004 THEN 5 ELSE 1 END ELSE 0 END
FROM (SELECT a.id, a.tenant_id, a.customer_id, a.start_at - interval '24 hours' AS sched, random() AS r, random() AS r2
      FROM appointments a WHERE a.deleted_at IS NULL) g;

-- the event log: appointment.created for each, appointment.rescheduled for 25 %, a staff calendar event for 10 %
INSERT INTO events (tenant_id, entity_type, entity_id, kind, payload, created_at)
SELECT g.tenant_id, CASE WHEN g.j = 3 THEN 'staff' ELSE 'appointment' END, CASE WHEN g.j = 3 THEN g.staff_id ELSE g.id END,
       CASE g.j WHEN 1 THEN 'appointment.created' WHEN 2 THEN 'appointment.rescheduled' ELSE 'staff.calendar_changed' END,
       jsonb_strip_nulls(jsonb_build_object(
         'request_id', CASE WHEN g.r < 0.8 THEN 'req_' || substr(md5(g.id || '-' || g.j), 1, 20) END,
         'source', CASE WHEN g.r2 < 0.70 THEN 'web' WHEN g.r2 < 0.95 THEN 'api' WHEN g.r2 < 0.99 THEN 'import' ELSE 'admin' END,
         'ip', '10.' || (g.id % 250) || '.' || (g.j * 37 + g.id % 7) || '.' || (g.id % 13),
         'start_at', CASE WHEN g.j = 2 THEN g.start_at END)),
       g.created_at + CASE WHEN g.j = 1 THEN interval '0' ELSE g.r * (g.start_at - g.created_at) END
FROM (SELECT a.id, a.tenant_id, a.staff_id, a.start_at, a.created_at, j, random() AS r, random() AS r2, random() AS keep
      FROM appointments a, generate_series(1, 3) j) g
WHERE g.j = 1 OR (g.j = 2 AND g.keep < 0.25) OR (g.j = 3 AND g.keep < 0.10);
