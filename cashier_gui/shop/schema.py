"""The shop server's tables, as numbered migrations.

`migrate(conn)` brings a database to `LATEST`: each migration runs in its own transaction under
one advisory lock (two `shop init` at once apply each step once), and sets `shop_meta.version`
in the same transaction, so a crash leaves the database at a whole version. A database newer than
this code is refused with a sentence, never written to. Every migration is tested from every
earlier version (tests/shop/test_schema.py).

Why it is shaped like this:
- `charges` holds one row per charge: `claim` locks it (`SELECT … FOR UPDATE` with a short
  lock_timeout) so two counters claiming one charge are served one after the other.
- `attempts` is keyed by the attempt's idempotency key (a UUID, the same one the gateway sees):
  a claim repeated by an outbox is recognised, never doubled.
- `attempts_one_open_per_charge`, a partial unique index, allows at most one attempt without a
  final answer (prepared, sent, unknown) per charge, shop-wide: even a bug in the functions cannot
  open two.
- `events` is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): who moved which
  attempt from what to what, when.
- Counters call functions (`shop_claim`, `shop_set_state`, `shop_heartbeat`,
  `shop_expire_leases`), so a later role for counters may EXECUTE them without UPDATE rights on
  history. `shop_transitions` is the one table of allowed moves (equal to model.TRANSITIONS,
  tested).
- Every insert, and every change of state, amount or refund ID, NOTIFYs `shop_attempts` with the
  charge ID (delivered on commit; a wake-up, not the truth).
"""

from __future__ import annotations

from typing import Any

import psycopg

from cashier_gui.shop.currencies_sql import CURRENCIES_SQL
from cashier_gui.shop.errors import ShopSchemaError
from cashier_gui.shop.functions import FUNCTIONS
from cashier_gui.shop.people_sql import PEOPLE_MIGRATION
from cashier_gui.shop.sessions_sql import SESSION_LOCK_MIGRATION, SESSIONS_MIGRATION

CHANNEL = "shop_attempts"  # the NOTIFY channel (migration 2)
#: pg_advisory_lock key of migrations (any constant; "shop" in ASCII).
MIGRATION_LOCK = 0x73686F70

V1_TABLES = (
    """CREATE TABLE shop_meta (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        version integer NOT NULL CHECK (version > 0))""",
    """CREATE TABLE counters (
        name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        lease_seconds integer NOT NULL DEFAULT 60 CHECK (lease_seconds BETWEEN 1 AND 86400))""",
    """CREATE TABLE charges (
        charge_id text PRIMARY KEY CHECK (length(charge_id) BETWEEN 1 AND 200),
        currency text CHECK (currency ~ '^[A-Z]{3}$'),
        total_minor bigint CHECK (total_minor > 0),
        created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE attempts (
        global_id text PRIMARY KEY
            CHECK (global_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
        counter text NOT NULL REFERENCES counters (name),
        charge_id text NOT NULL REFERENCES charges (charge_id),
        kind text NOT NULL CHECK (kind IN ('refund', 'void')),
        provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 100),
        amount_minor bigint CHECK (amount_minor > 0),
        currency text CHECK (currency ~ '^[A-Z]{3}$'),
        state text NOT NULL CHECK (state IN ('prepared', 'sent', 'approved', 'declined',
            'pending', 'failed', 'unknown', 'cancelled', 'not_sent')),
        refund_id text CHECK (length(refund_id) <= 200),
        error_code text CHECK (length(error_code) <= 200),
        gateway_text text CHECK (length(gateway_text) <= 2000),
        operator text CHECK (length(operator) <= 100),
        approver text CHECK (length(approver) <= 100),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        CHECK (amount_minor IS NULL OR currency IS NOT NULL))""",
    """CREATE UNIQUE INDEX attempts_one_open_per_charge ON attempts (charge_id)
        WHERE state IN ('prepared', 'sent', 'unknown')""",
    "CREATE INDEX attempts_by_charge ON attempts (charge_id, created_at)",
    "CREATE INDEX attempts_by_counter ON attempts (counter, created_at)",
    "CREATE INDEX attempts_by_time ON attempts (created_at)",
    """CREATE INDEX attempts_leased ON attempts (lease_until)
        WHERE state IN ('prepared', 'sent')""",
    "CREATE INDEX attempts_unknown ON attempts (created_at) WHERE state = 'unknown'",
    """CREATE TABLE events (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        global_id text NOT NULL REFERENCES attempts (global_id),
        charge_id text NOT NULL,
        counter text NOT NULL,
        from_state text,
        to_state text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}')""",
    "CREATE INDEX events_by_attempt ON events (global_id, id)",
)

V2_TRIGGERS = (
    """CREATE FUNCTION shop_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the shop''s events are append-only' USING ERRCODE = 'SH010';
    END $$""",
    """CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION shop_events_append_only()""",
    """CREATE FUNCTION shop_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('shop_attempts', NEW.charge_id);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER attempts_notify_insert AFTER INSERT ON attempts
        FOR EACH ROW EXECUTE FUNCTION shop_notify()""",
    """CREATE TRIGGER attempts_notify_update AFTER UPDATE ON attempts FOR EACH ROW
        WHEN (OLD.state IS DISTINCT FROM NEW.state
              OR OLD.refund_id IS DISTINCT FROM NEW.refund_id
              OR OLD.amount_minor IS DISTINCT FROM NEW.amount_minor)
        EXECUTE FUNCTION shop_notify()""",
)


V3_FUNCTIONS = (
    """CREATE TABLE shop_transitions (
        from_state text NOT NULL, to_state text NOT NULL,
        PRIMARY KEY (from_state, to_state))""",
    """INSERT INTO shop_transitions (from_state, to_state) VALUES
        ('pending', 'approved'), ('pending', 'declined'), ('pending', 'failed'),
        ('prepared', 'cancelled'), ('prepared', 'not_sent'), ('prepared', 'sent'),
        ('sent', 'approved'), ('sent', 'declined'), ('sent', 'failed'), ('sent', 'not_sent'),
        ('sent', 'pending'), ('sent', 'unknown'),
        ('unknown', 'approved'), ('unknown', 'declined'), ('unknown', 'failed'),
        ('unknown', 'not_sent'), ('unknown', 'pending')""",
    *FUNCTIONS,
)


#: 4: what a person reads of another counter's attempt (History, the charge card, `journal
#: list`) and what reconciling it from any counter needs: the terminal, the transaction
#: reference the gateway lists it under, the reason, whether it was asked for in full, and the
#: card (brand, last 4). Written once, with the claim (`shop_describe`: first write wins).
V4_DESCRIPTION = (
    """ALTER TABLE attempts
        ADD COLUMN terminal text CHECK (length(terminal) <= 200),
        ADD COLUMN transaction_reference text CHECK (length(transaction_reference) <= 64),
        ADD COLUMN reason text CHECK (length(reason) <= 64),
        ADD COLUMN full_refund boolean NOT NULL DEFAULT false,
        ADD COLUMN card_brand text CHECK (length(card_brand) <= 40),
        ADD COLUMN card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$')""",
    """CREATE FUNCTION shop_describe(
        p_global_id text, p_terminal text, p_reference text, p_reason text,
        p_full boolean, p_brand text, p_last4 text) RETURNS void
    LANGUAGE sql AS $$
        UPDATE attempts SET terminal = p_terminal, transaction_reference = p_reference,
            reason = p_reason, full_refund = p_full, card_brand = p_brand,
            card_last4 = p_last4
        WHERE global_id = p_global_id AND terminal IS NULL AND transaction_reference IS NULL
    $$""",
)


#: The counters' role (issue 21, item 3): `shop_counter` may read every table and call the
#: functions that claim, record, renew and expire — which run with their owner's rights
#: (SECURITY DEFINER, a fixed search_path) — and may not INSERT, UPDATE or DELETE anything
#: itself. So a counter's login (a member of `shop_counter`) can never rewrite the shop's
#: history; `events` is append-only for its owner too (migration 2's trigger). The role is
#: cluster-wide: created once, reused by every shop database on the server.
COUNTER_ROLE = "shop_counter"
_FUNCTIONS = (
    "shop_claim(text, text, text, text, text, bigint, text, text, text, bigint, integer)",
    "shop_set_state(text, text, text, text, text, text, bigint, text)",
    "shop_heartbeat(text, integer)",
    "shop_expire_leases(text)",
    "shop_describe(text, text, text, text, boolean, text, text)",
)
_TABLES = ("shop_meta", "counters", "charges", "attempts", "events", "shop_transitions")
V5_COUNTER_ROLE = (
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{COUNTER_ROLE}') THEN
            CREATE ROLE {COUNTER_ROLE} NOLOGIN;
        END IF;
    END $$""",
    *(f"REVOKE ALL ON {t} FROM PUBLIC" for t in _TABLES),
    *(f"GRANT SELECT ON {t} TO {COUNTER_ROLE}" for t in _TABLES),
    *(f"ALTER FUNCTION {f} SECURITY DEFINER SET search_path = public" for f in _FUNCTIONS),
    *(f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC" for f in _FUNCTIONS),
    *(f"GRANT EXECUTE ON FUNCTION {f} TO {COUNTER_ROLE}" for f in _FUNCTIONS),
    f"GRANT USAGE ON SCHEMA public TO {COUNTER_ROLE}",
)


#: 6: the shop's events as one hash chain (issue 21, item 3): each event's `hash` is SHA-256 of
#: the one before it and of its own fields (`shop_event_text`), set by a trigger as it is
#: inserted — serialised through the chain's head row — so whoever rewrites a row must rewrite
#: every hash after it; `ShopServer.verify_chain` recomputes the chain here, and `journal verify
#: --shop` also compares each counter's own copy. Events from before are chained in id order.
GENESIS = "0" * 64
V6_CHAIN = (
    f"""CREATE TABLE shop_chain (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        head text NOT NULL DEFAULT '{GENESIS}')""",
    "INSERT INTO shop_chain DEFAULT VALUES",
    "ALTER TABLE events ADD COLUMN prev_hash text, ADD COLUMN hash text",
    """CREATE FUNCTION shop_event_text(e events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT concat_ws(E'\\n', e.id::text, e.global_id, e.charge_id, e.counter,
            coalesce(e.from_state, ''), e.to_state, e.detail::text,
            to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    $$""",
    """CREATE FUNCTION shop_event_hash(p_prev text, e events) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
        SELECT encode(sha256(convert_to(p_prev || E'\\n' || shop_event_text(e), 'UTF8')), 'hex')
    $$""",
    "ALTER TABLE events DISABLE TRIGGER events_append_only",
    """DO $$ DECLARE e events; prev text := repeat('0', 64); BEGIN
        FOR e IN SELECT * FROM events ORDER BY id LOOP
            UPDATE events SET prev_hash = prev, hash = shop_event_hash(prev, e) WHERE id = e.id;
            prev := shop_event_hash(prev, e);
        END LOOP;
        UPDATE shop_chain SET head = prev;
    END $$""",
    "ALTER TABLE events ENABLE TRIGGER events_append_only",
    """CREATE FUNCTION shop_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE prev text;
    BEGIN
        SELECT head INTO prev FROM shop_chain FOR UPDATE;
        NEW.prev_hash := prev;
        NEW.hash := shop_event_hash(prev, NEW);
        UPDATE shop_chain SET head = NEW.hash;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER events_chain BEFORE INSERT ON events
        FOR EACH ROW EXECUTE FUNCTION shop_events_chain()""",
    "REVOKE ALL ON shop_chain FROM PUBLIC",
    f"GRANT SELECT ON shop_chain TO {COUNTER_ROLE}",
)


#: 7: the shop's policy lives on the server (issue 21, item 2): one row, `shop_policy`, holds
#: it as JSON in the shape of `Policy.to_toml()` with a version that grows by one per change;
#: `policy_changes` keeps every change (who, from which counter, before and after; append-only).
#: Counters read both and change the policy only through `shop_set_policy` (SECURITY DEFINER:
#: it checks the shape and a manager's name and PIN, stores, records the change and NOTIFYs
#: `shop_policy` with the new version). `shop_refunds_today` counts a cashier's refunds at every
#: counter in the policy's time zone (the server's own when the policy names none); `shop_check_policy`, called in the
#: claim's transaction, holds a per-person lock until it commits, so two counters cannot both
#: pass the last slot of `refunds_per_day`, and refuses a claim decided under an older policy.
POLICY_CHANNEL = "shop_policy"
_POLICY_FUNCTIONS = (
    "shop_set_policy(json, text, text, text)",
    "shop_refunds_today(text)",
    "shop_check_policy(bigint, text, text)",
)
V7_POLICY = (
    *CURRENCIES_SQL,  # each currency's decimals, for shop_policy_problem
    """CREATE TABLE shop_policy (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        policy jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(policy) = 'object'),
        version bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
        changed_by text CHECK (length(changed_by) <= 100),
        changed_at timestamptz,
        counter text CHECK (length(counter) <= 100))""",
    "INSERT INTO shop_policy DEFAULT VALUES",
    """CREATE TABLE policy_changes (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        version bigint NOT NULL,
        manager text NOT NULL,
        counter text NOT NULL,
        before jsonb NOT NULL,
        after jsonb NOT NULL)""",
    """CREATE FUNCTION shop_policy_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the shop''s policy changes are append-only' USING ERRCODE = 'SH010';
    END $$""",
    """CREATE TRIGGER policy_changes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
        ON policy_changes FOR EACH STATEMENT EXECUTE FUNCTION shop_policy_changes_append_only()""",
    """CREATE FUNCTION shop_policy_problem(p jsonb) RETURNS text
    LANGUAGE plpgsql STABLE AS $$
    DECLARE k text; v jsonb; c text; a jsonb; d integer;
    BEGIN
        IF p IS NULL OR jsonb_typeof(p) <> 'object' THEN
            RETURN 'the policy is not a table';
        END IF;
        FOR k, v IN SELECT * FROM jsonb_each(p) LOOP
            IF k IN ('approval_above', 'no_lookup_above') THEN
                IF jsonb_typeof(v) <> 'object' THEN
                    RETURN k || ' is not a table of amounts';
                END IF;
                FOR c, a IN SELECT * FROM jsonb_each(v) LOOP
                    SELECT digits INTO d FROM shop_currencies WHERE code = c;
                    IF NOT FOUND THEN
                        RETURN k || '.' || left(c, 10) || ' is not a currency the counters know';
                    END IF;
                    -- As money.parse_amount reads it: no more decimals than the currency has,
                    -- more than zero, at most MAX_MINOR_UNITS minor units.
                    IF jsonb_typeof(a) <> 'string'
                       OR (a #>> '{}') !~ ('^[0-9]{1,15}'
                           || CASE WHEN d > 0 THEN '([.][0-9]{1,' || d || '})?' ELSE '' END
                           || '$') THEN
                        RETURN k || '.' || c || ' is not an amount in ' || c
                            || ' (' || d || ' decimals)';
                    END IF;
                    IF (a #>> '{}')::numeric * power(10::numeric, d)
                       NOT BETWEEN 1 AND 999999999999999 THEN
                        RETURN k || '.' || c || ' is not more than 0 and at most '
                            || '999999999999999 minor units';
                    END IF;
                END LOOP;
            ELSIF k IN ('refunds_per_day', 'max_sale_age_days') THEN
                IF jsonb_typeof(v) <> 'number' OR (v #>> '{}') !~ '^[0-9]{1,6}$'
                   OR (v #>> '{}')::integer > 100000 THEN
                    RETURN k || ' is not a whole number from 0 to 100000';
                END IF;
            ELSIF k = 'voids' THEN
                IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') NOT IN ('anyone', 'managers') THEN
                    RETURN 'voids is neither "anyone" nor "managers"';
                END IF;
            ELSIF k = 'time_zone' THEN
                IF jsonb_typeof(v) <> 'string' OR NOT EXISTS (
                        SELECT FROM pg_timezone_names WHERE name = (v #>> '{}')) THEN
                    RETURN 'time_zone is not a time zone the shop server knows';
                END IF;
            ELSE
                RETURN left(k, 40) || ' is not a rule';
            END IF;
        END LOOP;
        RETURN NULL;
    END $$""",
    # The manager is checked here, by name and PIN (`shop_people_manager`, migration 9; a
    # PL/pgSQL call is bound when it runs): a counter's login cannot name a manager it has not
    # the PIN of. A wrong PIN is an answer, not an error (the status row of the people
    # functions), so the failure it counted commits. A shop without people: `no_people`,
    # nothing changed — nobody at a counter can set the shop's policy then (`shop init`'s owner
    # login can, by hand).
    """CREATE FUNCTION shop_set_policy(
        p_policy json, p_manager text, p_manager_pin text, p_counter text,
        OUT status text, OUT person text, OUT person_role text, OUT locked_until timestamptz,
        OUT left_tries integer, OUT lock_minutes integer, OUT new_version bigint)
    LANGUAGE plpgsql AS $$
    DECLARE
        old shop_policy%ROWTYPE;
        problem text;
        m record;
    BEGIN
        problem := shop_policy_problem(p_policy::jsonb);
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION 'bad policy: %', problem USING ERRCODE = 'SH013', DETAIL = problem;
        END IF;
        IF coalesce(length(p_manager), 0) NOT BETWEEN 1 AND 100
           OR coalesce(length(p_counter), 0) NOT BETWEEN 1 AND 100 THEN
            RAISE EXCEPTION 'a policy change names its manager and counter'
                USING ERRCODE = 'SH013', DETAIL = 'no manager or counter named';
        END IF;
        IF NOT EXISTS (SELECT FROM shop_people) THEN
            status := 'no_people';
            RETURN;
        END IF;
        SELECT * INTO m FROM shop_people_manager(
            p_manager, coalesce(p_manager_pin, ''), p_counter, false);
        status := m.status;
        person := m.person;
        person_role := m.person_role;
        locked_until := m.locked_until;
        left_tries := m.left_tries;
        lock_minutes := m.lock_minutes;
        IF status <> 'ok' THEN
            RETURN;
        END IF;
        SELECT * INTO old FROM shop_policy FOR UPDATE;
        UPDATE shop_policy SET policy = p_policy::jsonb, version = old.version + 1,
            changed_by = m.person, changed_at = now(), counter = p_counter;
        INSERT INTO policy_changes (version, manager, counter, before, after)
            VALUES (old.version + 1, m.person, p_counter, old.policy, p_policy::jsonb);
        PERFORM pg_notify('shop_policy', (old.version + 1)::text);
        new_version := old.version + 1;
    END $$""",
    """CREATE FUNCTION shop_day_start() RETURNS timestamptz LANGUAGE sql STABLE AS $$
        SELECT (date_trunc('day', now() AT TIME ZONE z) AT TIME ZONE z)
        FROM (SELECT coalesce(nullif(policy ->> 'time_zone', ''),
                              current_setting('TimeZone')) AS z FROM shop_policy) AS p
    $$""",
    # The server's own zone is the one `shop init` found, never the zone a counter's session
    # asks for (libpq sends PGTZ, which whoever starts the program chooses, as TimeZone).
    "ALTER FUNCTION shop_day_start() SET TimeZone FROM CURRENT",
    """CREATE FUNCTION shop_refunds_today(p_operator text) RETURNS integer
    LANGUAGE sql STABLE AS $$
        SELECT count(*)::integer FROM attempts
        WHERE operator = p_operator AND kind = 'refund' AND created_at >= shop_day_start()
          AND state NOT IN ('cancelled', 'not_sent', 'failed', 'declined')
    $$""",
    """CREATE FUNCTION shop_check_policy(p_version bigint, p_operator text, p_kind text)
    RETURNS integer
    LANGUAGE plpgsql AS $$
    DECLARE
        pol shop_policy%ROWTYPE;
        n integer;
        lim integer;
    BEGIN
        -- Held until the claim's transaction ends: the next claim by this person, at any
        -- counter, waits and then counts this one.
        PERFORM pg_advisory_xact_lock(hashtext('shop_refunds_per_day'), hashtext(p_operator));
        SELECT * INTO pol FROM shop_policy FOR SHARE;
        IF pol.version <> p_version THEN
            RAISE EXCEPTION 'the policy is at version %', pol.version USING ERRCODE = 'SH012',
                DETAIL = pol.version::text;
        END IF;
        IF p_kind <> 'refund' THEN
            RETURN NULL;  -- refunds_per_day counts refunds
        END IF;
        n := shop_refunds_today(p_operator);
        lim := (pol.policy ->> 'refunds_per_day')::integer;
        IF lim IS NOT NULL AND n >= lim THEN
            RAISE EXCEPTION '% made % refunds today', p_operator, n USING ERRCODE = 'SH011',
                DETAIL = json_build_object('count', n, 'limit', lim)::text;
        END IF;
        RETURN n;
    END $$""",
    "REVOKE ALL ON shop_policy FROM PUBLIC",
    "REVOKE ALL ON shop_currencies FROM PUBLIC",
    f"GRANT SELECT ON shop_currencies TO {COUNTER_ROLE}",
    "REVOKE ALL ON policy_changes FROM PUBLIC",
    f"GRANT SELECT ON shop_policy TO {COUNTER_ROLE}",
    f"GRANT SELECT ON policy_changes TO {COUNTER_ROLE}",
    *(f"ALTER FUNCTION {f} SECURITY DEFINER" for f in _POLICY_FUNCTIONS),
    *(
        statement
        for f in _POLICY_FUNCTIONS
        for statement in (
            f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {f} TO {COUNTER_ROLE}",
        )
    ),
    # Every function that runs with its owner's rights looks in the session's temporary schema
    # last: with `search_path = public` alone PostgreSQL looks there first for tables, and a
    # counter's login shadowed `shop_transitions` (an approved refund moved to cancelled) or
    # `shop_policy`. Nobody but the owner creates anything in `public` (PostgreSQL < 15).
    *(
        f"ALTER FUNCTION {f} SET search_path = public, pg_temp"
        for f in (*_FUNCTIONS, *_POLICY_FUNCTIONS)
    ),
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
)


#: 8: `shop import` (issue 21, item 4) — a counter moving into a shop uploads its own history.
#: `shop_import` (SECURITY DEFINER: the counters' role may not INSERT) adds one settled attempt
#: with its state changes as events, under the counter's name, once: a global ID the server
#: already holds adds nothing and says which counter holds it in which state. An attempt without
#: a final answer (prepared, sent, unknown) is refused (SHI01): the shop would take it as
#: settled, with no lease to run out. Its events must end in its state (SHI02), so the chain's
#: walk (`verify_chain`) still finds every attempt where its last event left it. Events are
#: chained by migration 6's trigger as they are inserted, stamped with the server's time; the
#: counter's own time of each step is kept in `detail.local_at`, with `"imported": true`.
V8_IMPORT = (
    """CREATE FUNCTION shop_import(p_counter text, p_attempt jsonb, p_events jsonb)
    RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
        r attempts%ROWTYPE;
        ch charges%ROWTYPE;
        held attempts%ROWTYPE;
        e jsonb;
        n integer;
    BEGIN
        r := jsonb_populate_record(NULL::attempts, p_attempt);
        IF r.state IN ('prepared', 'sent', 'unknown') THEN
            RAISE EXCEPTION 'attempt % has no final answer (%)', r.global_id, r.state
                USING ERRCODE = 'SHI01', DETAIL = r.state;
        END IF;
        IF jsonb_typeof(p_events) IS DISTINCT FROM 'array' OR jsonb_array_length(p_events) = 0
           OR p_events -> -1 ->> 'to_state' IS DISTINCT FROM r.state
           OR EXISTS (SELECT FROM jsonb_array_elements(p_events) x
                      WHERE x ->> 'to_state' IS NULL
                         OR x ->> 'to_state' NOT IN ('prepared', 'sent', 'approved', 'declined',
                            'pending', 'failed', 'unknown', 'cancelled', 'not_sent')) THEN
            RAISE EXCEPTION 'attempt %: its events do not lead to %', r.global_id, r.state
                USING ERRCODE = 'SHI02';
        END IF;
        SELECT * INTO held FROM attempts WHERE global_id = r.global_id;
        IF FOUND THEN
            RETURN jsonb_build_object('added', false, 'counter', held.counter,
                                      'state', held.state);
        END IF;
        INSERT INTO counters (name) VALUES (p_counter) ON CONFLICT (name) DO NOTHING;
        INSERT INTO charges (charge_id) VALUES (r.charge_id) ON CONFLICT (charge_id) DO NOTHING;
        SELECT * INTO ch FROM charges WHERE charge_id = r.charge_id FOR UPDATE;
        IF r.currency IS NOT NULL THEN
            IF ch.currency IS NULL THEN
                UPDATE charges SET currency = r.currency WHERE charge_id = r.charge_id;
            ELSIF ch.currency <> r.currency THEN
                RAISE EXCEPTION 'charge % is in %', r.charge_id, ch.currency
                    USING ERRCODE = 'SH004', DETAIL = ch.currency;
            END IF;
        END IF;
        INSERT INTO attempts (global_id, counter, charge_id, kind, provider, amount_minor,
            currency, state, refund_id, error_code, gateway_text, operator, approver,
            created_at, updated_at, lease_until, terminal, transaction_reference, reason,
            full_refund, card_brand, card_last4)
        VALUES (r.global_id, p_counter, r.charge_id, r.kind, r.provider, r.amount_minor,
            r.currency, r.state, r.refund_id, r.error_code, r.gateway_text, r.operator,
            r.approver, r.created_at, coalesce(r.updated_at, r.created_at), NULL, r.terminal,
            r.transaction_reference, r.reason, coalesce(r.full_refund, false), r.card_brand,
            r.card_last4)
        ON CONFLICT (global_id) DO NOTHING;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN  -- another import of it committed first
            SELECT * INTO held FROM attempts WHERE global_id = r.global_id;
            RETURN jsonb_build_object('added', false, 'counter', held.counter,
                                      'state', held.state);
        END IF;
        FOR e IN SELECT x FROM jsonb_array_elements(p_events) x LOOP
            INSERT INTO events (global_id, charge_id, counter, from_state, to_state, detail)
            VALUES (r.global_id, r.charge_id, p_counter, e ->> 'from_state', e ->> 'to_state',
                    coalesce(e -> 'detail', '{}'::jsonb) || '{"imported": true}'::jsonb);
        END LOOP;
        RETURN jsonb_build_object('added', true, 'counter', p_counter, 'state', r.state);
    END $$""",
    "REVOKE ALL ON FUNCTION shop_import(text, jsonb, jsonb) FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION shop_import(text, jsonb, jsonb) TO {COUNTER_ROLE}",
)

#: 9: the shop's people (issue 21, items 1 and 6; issue 27, item 8): names, roles and bcrypt PIN
#: hashes the counters' role cannot read, checked and counted by SECURITY DEFINER functions,
#: lock-outs that grow (1, 5, 15, 60 minutes), changes that need a manager's PIN checked in the
#: same function, and the managers' back-office role `shop_manager` (people_sql.py says why).
#: With the people, the claim checks who approves and who goes alone (hardening of issue 21):
#: `shop_claim_checked` is the one way a counter's login claims. An approver is taken only with
#: their PIN, checked here by `shop_people_verify` (counted like a sign-in; a wrong one is a
#: status row, so the count commits and nothing is claimed); without an approver, a refund by
#: anyone the shop does not know as a manager is held to the shop's `refunds_per_day` —
#: `shop_check_policy`, under its per-person lock — whether or not the counter asked for it
#: (a policy version the counter weighed under is still compared; none given: the current
#: one). A shop without people has nobody to check: the claim is made as before (as a counter
#: alone). A repeated claim (same global ID, an outbox) is answered from what is stored,
#: nothing weighed again. `shop_claim` itself is no longer granted to counters.
CLAIM_CHECKED = (
    "shop_claim_checked("
    + ", ".join(
        ("text",) * 5 + ("bigint", "text", "text", "text", "bigint", "integer", "bigint", "text")
    )
    + ")"
)
V9_CLAIM = (
    """CREATE FUNCTION shop_claim_checked(
        p_global_id text, p_counter text, p_charge_id text, p_kind text, p_provider text,
        p_amount_minor bigint, p_currency text, p_operator text, p_approver text,
        p_total_minor bigint, p_lease_seconds integer, p_policy_version bigint,
        p_approver_pin text,
        OUT status text, OUT person text, OUT person_role text, OUT locked_until timestamptz,
        OUT left_tries integer, OUT lock_minutes integer, OUT repeat boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
        v record;
        approver text := p_approver;
    BEGIN
        status := 'ok';
        IF NOT EXISTS (SELECT FROM attempts WHERE global_id = p_global_id)
           AND EXISTS (SELECT FROM shop_people) THEN
            IF p_approver IS NOT NULL THEN
                SELECT * INTO v FROM shop_people_verify(
                    p_approver, coalesce(p_approver_pin, ''), p_counter);
                status := v.status;
                person := v.person;
                person_role := v.person_role;
                locked_until := v.locked_until;
                left_tries := v.left_tries;
                lock_minutes := v.lock_minutes;
                IF status = 'ok' AND person_role <> 'manager' THEN
                    status := 'not_manager';
                END IF;
                IF status <> 'ok' THEN
                    RETURN;  -- nothing claimed; the failure counted commits
                END IF;
                approver := v.person;
            ELSIF NOT EXISTS (SELECT FROM shop_people
                              WHERE lower(name) = lower(coalesce(p_operator, ''))
                                AND role = 'manager') THEN
                PERFORM shop_check_policy(
                    coalesce(p_policy_version, (SELECT version FROM shop_policy)),
                    coalesce(p_operator, ''), p_kind);
            END IF;
        END IF;
        repeat := shop_claim(p_global_id, p_counter, p_charge_id, p_kind, p_provider,
            p_amount_minor, p_currency, p_operator, approver, p_total_minor, p_lease_seconds);
    END $$""",
    f"REVOKE ALL ON FUNCTION {CLAIM_CHECKED} FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION {CLAIM_CHECKED} TO {COUNTER_ROLE}",
    # The bare claim is the checked claim's part, no longer a counter's to call.
    f"REVOKE EXECUTE ON FUNCTION {_FUNCTIONS[0]} FROM {COUNTER_ROLE}",
)
V9_PEOPLE = (*PEOPLE_MIGRATION, *V9_CLAIM)

#: 10: sign-in sessions (closing issue 21's last gap): `shop_people_sign_in` checks the PIN and
#: opens a session (a random token, kept only as its SHA-256, 12 hours at most), and
#: `shop_claim_checked` takes the session's token instead of the operator's name — the server
#: derives who claims and their role. sessions_sql.py says why and what a session gates.
V10_SESSIONS = SESSIONS_MIGRATION
#: 11: only a manager's lock (or removal) ends a sign-in session, not a lock after wrong PINs
#: that anyone can cause by typing them for a name (sessions_sql.SESSION_LOCK_MIGRATION).
V11_SESSION_LOCK = SESSION_LOCK_MIGRATION


def migrations() -> tuple[tuple[str, ...], ...]:
    """Migration n (1-based) is `migrations()[n - 1]`: its statements, in order."""
    return (
        V1_TABLES,
        V2_TRIGGERS,
        V3_FUNCTIONS,
        V4_DESCRIPTION,
        V5_COUNTER_ROLE,
        V6_CHAIN,
        V7_POLICY,
        V8_IMPORT,
        V9_PEOPLE,
        V10_SESSIONS,
        V11_SESSION_LOCK,
    )


LATEST = 11


def current_version(conn: psycopg.Connection[Any]) -> int:
    """0 for a database without the shop's tables."""
    row = conn.execute("SELECT to_regclass('shop_meta') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT version FROM shop_meta").fetchone()
    return int(found[0]) if found else 0


def too_new(version: int) -> ShopSchemaError:
    return ShopSchemaError(
        f"The shop server's tables are at version {version}, newer than this app knows "
        f"({LATEST}). Update the app on this counter; nothing was changed."
    )


def check_version(conn: psycopg.Connection[Any]) -> int:
    """The version, or ShopSchemaError when it is missing, older or newer than this code."""
    version = current_version(conn)
    if version > LATEST:
        raise too_new(version)
    if version < LATEST:
        raise ShopSchemaError(
            f"The shop server's tables are at version {version}, this app needs {LATEST}. Run "
            "`cashier-refund shop init --url …` once (it upgrades them), then try again."
        )
    return version


def migrate(conn: psycopg.Connection[Any], target: int = LATEST) -> list[int]:
    """Apply every migration above the database's version up to `target`, one transaction
    each. Returns the versions applied ([] when it was up to date). `conn` is in autocommit.

    A session advisory lock, taken before the first transaction begins, lets one `shop init`
    at a time through. (Taken inside each transaction instead, the waiting one would still
    read its stale catalogue cache from before the other's commit and create a table twice.)"""
    if not 0 <= target <= LATEST:
        raise ValueError(f"no schema version {target}")
    if not conn.autocommit:
        raise ValueError("migrate() needs a connection in autocommit mode")
    steps = migrations()
    applied: list[int] = []
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        for number in range(1, target + 1):
            with conn.transaction():
                version = current_version(conn)
                if version > LATEST:
                    raise too_new(version)
                if version >= number:
                    continue
                for statement in steps[number - 1]:
                    conn.execute(statement.encode())
                if number == 1:
                    conn.execute("INSERT INTO shop_meta (version) VALUES (1)")
                else:
                    conn.execute("UPDATE shop_meta SET version = %s", (number,))
                applied.append(number)
    finally:
        if not conn.closed:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    return applied
