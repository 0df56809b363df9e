"""The booking workload: a multi-tenant booking / scheduling SaaS for clinics (locations, staff,
services, customers with uuid keys, appointments in time slots, payments, reminder notifications,
an audit event log). Written as an out-of-sample test of the index advisor (issue 16): its query
kinds are the ones the tracker and the shop barely have — time-range overlap, IN-lists and
`= ANY($1)`, OR across two columns, status IN (…) queues with a small hot fraction, expression
lookups on jsonb and on date(), EXISTS / NOT EXISTS, mixed-direction keyset pagination, int[]
overlap and jsonb containment, writes on wide write-heavy tables and a hard delete whose foreign
keys are checked from the child side.

Each query is what the application sends, with $n parameters and a traffic weight (relative calls
per unit of time). `draw` picks the parameters from the loaded data with a seeded random generator:
a common and a rare value where the distribution is skewed, the absent key for lookups. The data's
"now" is 2026-06-01 00:00 UTC."""

from __future__ import annotations

from bench.oltp.common import Draw, Query

NOW = "2026-06-01 00:00:00+00"


def sizes(scale: float) -> dict:
    return {"scale": scale, "tenants": max(50, round(3000 * scale)), "customers": max(5000, round(1_000_000 * scale)),
            "appointments": max(15_000, round(3_000_000 * scale)), "loc_k": max(20, round(300 * scale)),
            "staff_k": max(100, round(4000 * scale)), "svc_k": max(30, round(600 * scale))}  # fmt: skip


def small_tenant(d: Draw) -> int:
    t = d.sizes["tenants"]
    return d.one("SELECT tenant_id FROM customers WHERE tenant_id BETWEEN $1 AND $2 LIMIT 1",
                 t // 2, t, pick=False)  # a tenant of the long tail that has customers


def customer(d: Draw, regular: bool) -> str:
    """A regular (one of the lowest ordinals: hundreds of appointments) or an occasional customer's uuid."""
    c = d.sizes["customers"]
    k = d.rng.randint(1, 20) if regular else d.rng.randint(c // 2, c)
    return d.one("SELECT md5('c' || $1)::uuid::text", k)


def customer_row(d: Draw, tenant: int):
    return d.row("SELECT id::text, email, phone FROM customers WHERE tenant_id = $1 AND deleted_at IS NULL AND phone IS NOT NULL "
                 "ORDER BY created_at DESC OFFSET $2 LIMIT 1", tenant, d.rng.randint(0, 30))  # fmt: skip


def staff_of(d: Draw, tenant: int) -> int:
    return d.one("SELECT id FROM staff WHERE tenant_id = $1 AND active AND role = 'practitioner' ORDER BY id LIMIT 30",
                 tenant, pick=True)  # fmt: skip


def location_of(d: Draw, tenant: int) -> int:
    return d.one("SELECT id FROM locations WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 5", tenant, pick=True)


def day(d: Draw, offset_days: int) -> tuple[str, str]:
    """[start, end) of a calendar day offset_days from the data's now."""
    row = d.row("SELECT ($1::timestamptz + $2 * interval '1 day')::text, ($1::timestamptz + ($2 + 1) * interval '1 day')::text",
                NOW, offset_days)  # fmt: skip
    return row[0], row[1]


def history_page(d: Draw):
    cust = customer(d, regular=True)
    row = d.row("SELECT start_at::text, id FROM appointments WHERE customer_id = $1::uuid ORDER BY start_at DESC, id OFFSET 19 LIMIT 1",
                cust)  # fmt: skip
    return (cust, row[0], row[1]) if row else (cust, NOW, 0)


def uuid_list(d: Draw) -> tuple:
    return (customer(d, True), customer(d, True), customer(d, False), customer(d, False), "00000000-0000-4000-8000-00000000dead")


def appointment_ids(d: Draw, n: int) -> str:
    a = d.sizes["appointments"]
    return "{" + ",".join(str(d.rng.randint(a // 2, a)) for _ in range(n)) + "}"


def provider_ref(d: Draw) -> str:
    return d.one("SELECT provider_ref FROM payments WHERE appointment_id > $1 AND provider_ref IS NOT NULL LIMIT 20",
                 d.rng.randint(1, d.sizes["appointments"] // 2), pick=True)  # fmt: skip


def request_id(d: Draw) -> str:
    return d.one("SELECT payload->>'request_id' FROM events WHERE id BETWEEN $1 AND $1 + 50 AND payload ? 'request_id'",
                 d.rng.randint(1, d.sizes["appointments"]), pick=True)  # fmt: skip


def appointment_with_events(d: Draw) -> int:
    return d.one("SELECT entity_id FROM events WHERE kind = 'appointment.rescheduled' AND id > $1 LIMIT 10",
                 d.rng.randint(1, d.sizes["appointments"]), pick=True)  # fmt: skip


def erasable_customer(d: Draw) -> str:
    """A customer of the long tail with no appointment and no notification (a GDPR erasure that succeeds)."""
    c = d.sizes["customers"]
    return d.one("SELECT c.id::text FROM customers c WHERE c.id IN (SELECT md5('c' || k)::uuid FROM generate_series($1, $2) k) "
                 "AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.customer_id = c.id) "
                 "AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.customer_id = c.id) LIMIT 5",
                 c - 2000, c, pick=True)  # fmt: skip


def two_tenants(d: Draw, f):
    return [("big tenant", f(1)), ("small tenant", f(small_tenant(d)))]


QUERIES = [
    # --- customers
    Query("customer_login", 100,
          "SELECT id, name FROM customers WHERE tenant_id = $1 AND lower(email) = lower($2) AND deleted_at IS NULL LIMIT 1",
          lambda d: [("existing", (lambda r: (1, r[1].upper()))(customer_row(d, 1))),
                     ("absent", (1, "nobody.%d@nowhere.example.com" % d.rng.randint(1, 10**6)))]),
    Query("front_desk_phone_or_email", 40,
          "SELECT id, name, email, phone FROM customers WHERE tenant_id = $1 AND (phone = $2 OR email = $3) AND deleted_at IS NULL",
          lambda d: [("phone matches", (lambda r: (1, r[2], "walk.in.%d@nowhere.example.com" % d.rng.randint(1, 10**6)))(customer_row(d, 1))),
                     ("absent", (1, "+490000000000", "nobody@nowhere.example.com"))]),
    Query("customers_with_label", 20,
          "SELECT id, name, email FROM customers WHERE tenant_id = $1 AND labels && $2::int[] AND deleted_at IS NULL "
          "ORDER BY created_at DESC LIMIT 50",
          lambda d: [("big tenant, rare label", (1, "{%d}" % d.rng.randint(200, 300))),
                     ("small tenant, common label", (small_tenant(d), "{1,2}"))]),
    Query("winback_list", 10,
          "SELECT c.id, c.name, c.email FROM customers c WHERE c.tenant_id = $1 AND c.deleted_at IS NULL AND c.created_at >= $2::timestamptz "
          "AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.customer_id = c.id AND a.start_at >= $3::timestamptz) LIMIT 100",
          lambda d: two_tenants(d, lambda t: (t, "2025-06-01", "2026-01-01"))),
    Query("staff_login", 50,
          "SELECT id, tenant_id, location_id, role FROM staff WHERE lower(email) = lower($1) AND active LIMIT 1",
          lambda d: [("existing", (d.one("SELECT email FROM staff WHERE active ORDER BY id DESC LIMIT 50", pick=True),)),
                     ("absent", ("nobody.%d@clinic.example.org" % d.rng.randint(1, 10**6),))]),
    # --- calendars: time-range overlap (start_at < end of window AND end_at > start of window)
    Query("staff_day_schedule", 150,
          "SELECT id, start_at, end_at, customer_id, status FROM appointments WHERE staff_id = $1 "
          "AND start_at < $3::timestamptz AND end_at > $2::timestamptz AND status <> 'cancelled' ORDER BY start_at",
          lambda d: [("busy staff, tomorrow", (staff_of(d, 1), *day(d, 1))),
                     ("small-tenant staff, a past day", (staff_of(d, small_tenant(d)), *day(d, -200)))]),
    Query("slot_conflict", 120,
          "SELECT EXISTS (SELECT 1 FROM appointments WHERE staff_id = $1 AND status IN ('booked', 'confirmed') "
          "AND start_at < $3::timestamptz AND end_at > $2::timestamptz)",
          lambda d: [("busy staff", (staff_of(d, 1), "2026-06-03 10:00:00+00", "2026-06-03 10:45:00+00")),
                     ("small-tenant staff", (staff_of(d, small_tenant(d)), "2026-06-10 15:00:00+00", "2026-06-10 15:30:00+00"))]),
    Query("location_week", 60,
          "SELECT a.id, a.start_at, a.end_at, a.staff_id, s.name FROM appointments a JOIN staff s ON s.id = a.staff_id "
          "WHERE a.location_id = $1 AND a.start_at >= $2::timestamptz AND a.start_at < $3::timestamptz AND a.deleted_at IS NULL "
          "ORDER BY a.start_at",
          lambda d: [("big-tenant location", (location_of(d, 1), NOW, "2026-06-08 00:00:00+00")),
                     ("small-tenant location", (location_of(d, small_tenant(d)), NOW, "2026-06-08 00:00:00+00"))]),
    Query("next_per_location", 40,
          "SELECT l.id, l.name, x.id, x.start_at, x.staff_id FROM locations l CROSS JOIN LATERAL "
          "(SELECT a.id, a.start_at, a.staff_id FROM appointments a WHERE a.location_id = l.id AND a.start_at >= $2::timestamptz "
          "AND a.deleted_at IS NULL ORDER BY a.start_at LIMIT 3) x WHERE l.tenant_id = $1 AND l.deleted_at IS NULL",
          lambda d: two_tenants(d, lambda t: (t, NOW))),
    Query("busy_staff_at_location", 30,
          "SELECT s.id, s.name FROM staff s WHERE s.location_id = $1 AND s.active AND EXISTS "
          "(SELECT 1 FROM appointments a WHERE a.staff_id = s.id AND a.start_at < $3::timestamptz AND a.end_at > $2::timestamptz "
          "AND a.status IN ('booked', 'confirmed'))",
          lambda d: [("big-tenant location", (location_of(d, 1), *day(d, 2)))]),
    # --- a customer's appointments (uuid foreign key)
    Query("customer_upcoming", 100,
          "SELECT id, start_at, staff_id, status FROM appointments WHERE customer_id = $1::uuid AND start_at >= $2::timestamptz "
          "ORDER BY start_at LIMIT 10",
          lambda d: [("regular", (customer(d, True), NOW)), ("occasional", (customer(d, False), NOW))]),
    Query("customer_history_page", 30,
          "SELECT id, start_at, status FROM appointments WHERE customer_id = $1::uuid "
          "AND (start_at < $2::timestamptz OR (start_at = $2::timestamptz AND id > $3)) ORDER BY start_at DESC, id ASC LIMIT 20",
          lambda d: [("regular, page 2", history_page(d))]),
    Query("no_show_counts", 20,
          "SELECT customer_id, count(*) FROM appointments WHERE customer_id IN ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid) "
          "AND status = 'no_show' GROUP BY customer_id",
          lambda d: [("5 customers", uuid_list(d))]),
    # --- tenant back office
    Query("pending_count", 40,
          "SELECT count(*) FROM appointments WHERE tenant_id = $1 AND status = 'pending' AND deleted_at IS NULL",
          lambda d: two_tenants(d, lambda t: (t,))),
    Query("tenant_recent_page", 50,
          "SELECT id, start_at, status, customer_id FROM appointments WHERE tenant_id = $1 AND status = ANY($2::text[]) "
          "AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 50",
          lambda d: [("big tenant, upcoming", (1, "{booked,confirmed}")),
                     ("small tenant, cancelled or no-show", (small_tenant(d), "{cancelled,no_show}"))]),
    # --- payments
    Query("payments_for_appointments", 80,
          "SELECT appointment_id, sum(amount) FROM payments WHERE appointment_id = ANY($1::bigint[]) AND status = 'succeeded' "
          "GROUP BY appointment_id",
          lambda d: [("3 ids", (appointment_ids(d, 3),)), ("25 ids", (appointment_ids(d, 25),))]),
    Query("payment_webhook", 60, "SELECT id, appointment_id, status FROM payments WHERE provider_ref = $1",
          lambda d: [("existing", (provider_ref(d),)), ("absent", ("ch_nope%018d" % d.rng.randint(0, 10**9),))]),
    Query("failed_payments", 30,
          "SELECT id, appointment_id, amount, status, created_at FROM payments WHERE tenant_id = $1 "
          "AND status IN ('pending', 'failed') ORDER BY created_at DESC LIMIT 50",
          lambda d: two_tenants(d, lambda t: (t,))),
    Query("daily_revenue", 20,
          "SELECT count(*), sum(amount) FROM payments WHERE tenant_id = $1 AND date(created_at) = $2::date AND status = 'succeeded'",
          lambda d: two_tenants(d, lambda t: (t, "2026-05-20"))),
    # --- notifications
    Query("notification_queue", 200,
          "SELECT id, customer_id, channel, attempts FROM notifications WHERE status IN ('pending', 'failed') "
          "AND scheduled_at <= $1::timestamptz ORDER BY scheduled_at LIMIT 100",
          lambda d: [("now", (NOW,))]),
    Query("customer_notifications", 15,
          "SELECT id, channel, status, scheduled_at FROM notifications WHERE customer_id = $1::uuid ORDER BY scheduled_at DESC LIMIT 20",
          lambda d: [("regular", (customer(d, True),)), ("occasional", (customer(d, False),))]),
    # --- the event log
    Query("events_by_request", 30,
          "SELECT id, entity_type, entity_id, kind, created_at FROM events WHERE (payload->>'request_id') = $1",
          lambda d: [("existing", (request_id(d),)), ("absent", ("req_nope%012d" % d.rng.randint(0, 10**9),))]),
    Query("entity_audit", 50,
          "SELECT id, kind, payload, created_at FROM events WHERE entity_type = $1 AND entity_id = $2 ORDER BY created_at DESC LIMIT 20",
          lambda d: [("appointment", ("appointment", appointment_with_events(d))), ("staff", ("staff", staff_of(d, 1)))]),
    Query("tenant_events_by_source", 15,
          "SELECT id, entity_type, entity_id, kind, created_at FROM events WHERE tenant_id = $1 AND payload @> $2::jsonb "
          "ORDER BY created_at DESC LIMIT 20",
          lambda d: [("big tenant, rare source", (1, '{"source": "admin"}')),
                     ("small tenant, common source", (small_tenant(d), '{"source": "web"}'))]),
    # --- writes (each pays for the indexes of its table)
    Query("book_appointment", 60,
          "INSERT INTO appointments (tenant_id, location_id, staff_id, service_id, customer_id, start_at, end_at, status, created_at) "
          "VALUES ($1, $2, $3, $4, $5::uuid, $6::timestamptz, $6::timestamptz + interval '30 minutes', 'booked', now())",
          lambda d: [("new", d.row("SELECT tenant_id, location_id, id, (SELECT min(id) FROM services WHERE tenant_id = 1), "
                                   "md5('c' || 7)::text, '2026-06-15 09:00:00+00' FROM staff WHERE tenant_id = 1 ORDER BY id LIMIT 1"))]),
    Query("cancel_appointment", 20,
          "UPDATE appointments SET status = 'cancelled', cancelled_at = now() WHERE id = $1",
          lambda d: [("upcoming", (d.sizes["appointments"] - d.rng.randint(0, 500),))]),
    Query("record_payment", 40,
          "INSERT INTO payments (id, appointment_id, tenant_id, amount, method, status, provider_ref, created_at) "
          "VALUES ($1::uuid, $2, $3, 80.00, 'card', 'pending', $4, now())",
          lambda d: [("new", ("00000000-0000-4000-8000-000000000001", d.sizes["appointments"] - 10, 1, "ch_new000000000000000001"))]),
    Query("send_notification", 150,
          "UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1 WHERE id = $1",
          lambda d: [("due", (d.one("SELECT id FROM notifications WHERE status = 'pending' ORDER BY scheduled_at LIMIT 50",
                                    pick=True),))]),
    Query("log_event", 150,
          "INSERT INTO events (tenant_id, entity_type, entity_id, kind, payload, created_at) "
          "VALUES ($1, 'appointment', $2, 'appointment.viewed', $3::jsonb, now())",
          lambda d: [("new", (1, d.sizes["appointments"] - 3, '{"request_id": "req_new0000000000000001", "source": "web"}'))]),
    Query("erase_customer", 2, "DELETE FROM customers WHERE id = $1::uuid",
          lambda d: [("no history", (erasable_customer(d),))]),
]
