"""The shop server's plpgsql functions (schema migration 3): every write a counter makes.
Frozen with the migration: a change is a new migration (CREATE OR REPLACE FUNCTION).

Errors they raise, read back by server.py (DETAIL is JSON where the caller needs values):
SH001 another open attempt on the charge; SH002 over-refund; SH003 a global ID claimed again
with other values; SH004 a currency other than the charge's; SH005 an impossible transition;
SH006 no such attempt; SH007 `sent` from a counter other than the claiming one; SH008 an outcome
whose amount or currency is not the attempt's. 55P03 (lock_not_available) comes from the charge's row lock.

The charge row is locked before anything is read, so every check and the insert see what the
previous claim on that charge committed (READ COMMITTED takes a new snapshot per statement).
"""

from __future__ import annotations

CLAIM = """
CREATE FUNCTION shop_claim(
    p_global_id text, p_counter text, p_charge_id text, p_kind text, p_provider text,
    p_amount_minor bigint, p_currency text, p_operator text, p_approver text,
    p_total_minor bigint, p_lease_seconds integer
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    ch charges%ROWTYPE;
    a attempts%ROWTYPE;
    used bigint;
    whole boolean;
    total bigint;
    remaining bigint;
BEGIN
    INSERT INTO counters (name, lease_seconds) VALUES (p_counter, p_lease_seconds)
        ON CONFLICT (name) DO UPDATE SET last_seen = now(), lease_seconds = EXCLUDED.lease_seconds;
    INSERT INTO charges (charge_id) VALUES (p_charge_id) ON CONFLICT (charge_id) DO NOTHING;
    SELECT * INTO ch FROM charges WHERE charge_id = p_charge_id FOR UPDATE;

    SELECT * INTO a FROM attempts WHERE global_id = p_global_id;
    IF FOUND THEN
        IF a.charge_id <> p_charge_id OR a.kind <> p_kind OR a.counter <> p_counter
           OR (p_amount_minor IS NOT NULL AND a.amount_minor IS DISTINCT FROM p_amount_minor) THEN
            RAISE EXCEPTION 'attempt % was claimed with other values', p_global_id
                USING ERRCODE = 'SH003';
        END IF;
        RETURN true;
    END IF;

    IF p_currency IS NOT NULL THEN
        IF ch.currency IS NOT NULL AND ch.currency <> p_currency THEN
            RAISE EXCEPTION 'charge % is in %', p_charge_id, ch.currency
                USING ERRCODE = 'SH004', DETAIL = ch.currency;
        END IF;
        IF ch.currency IS NULL OR (p_total_minor IS NOT NULL
                                   AND ch.total_minor IS DISTINCT FROM p_total_minor) THEN
            UPDATE charges SET currency = p_currency,
                               total_minor = coalesce(p_total_minor, total_minor)
                WHERE charge_id = p_charge_id;
        END IF;
    END IF;

    SELECT * INTO a FROM attempts WHERE charge_id = p_charge_id AND state IN ('prepared', 'sent', 'unknown');
    IF FOUND THEN
        RAISE EXCEPTION 'charge % has an open attempt', p_charge_id USING ERRCODE = 'SH001',
            DETAIL = json_build_object(
                'global_id', a.global_id, 'counter', a.counter, 'created_at', a.created_at,
                'amount_minor', a.amount_minor, 'currency', a.currency, 'state', a.state)::text;
    END IF;

    -- A total from this look-up, else one an earlier claim (any counter) brought.
    total := coalesce(p_total_minor, ch.total_minor);
    IF total IS NOT NULL THEN
        SELECT coalesce(sum(amount_minor), 0), coalesce(bool_or(amount_minor IS NULL), false)
            INTO used, whole
            FROM attempts WHERE charge_id = p_charge_id
            AND state IN ('approved', 'pending', 'prepared', 'sent', 'unknown');
        remaining := CASE WHEN whole THEN 0 ELSE greatest(total - used, 0) END;
        IF remaining = 0 OR p_amount_minor > remaining THEN
            RAISE EXCEPTION 'charge % has % left', p_charge_id, remaining USING ERRCODE = 'SH002',
                DETAIL = json_build_object(
                    'left', remaining, 'currency', coalesce(p_currency, ch.currency))::text;
        END IF;
    END IF;

    INSERT INTO attempts (global_id, counter, charge_id, kind, provider, amount_minor, currency,
                          state, operator, approver, lease_until)
        VALUES (p_global_id, p_counter, p_charge_id, p_kind, p_provider, p_amount_minor,
                coalesce(p_currency, ch.currency), 'prepared', p_operator, p_approver,
                now() + make_interval(secs => p_lease_seconds));
    INSERT INTO events (global_id, charge_id, counter, from_state, to_state, detail)
        VALUES (p_global_id, p_charge_id, p_counter, NULL, 'prepared',
                json_build_object('amount_minor', p_amount_minor, 'operator', p_operator,
                                  'approver', p_approver, 'total_minor', total)::jsonb);
    RETURN false;
END $$"""

SET_STATE = """
CREATE FUNCTION shop_set_state(
    p_global_id text, p_by text, p_state text, p_refund_id text, p_error_code text,
    p_gateway_text text, p_amount_minor bigint, p_currency text
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    a attempts%ROWTYPE;
    lease integer;
BEGIN
    SELECT * INTO a FROM attempts WHERE global_id = p_global_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no attempt %', p_global_id USING ERRCODE = 'SH006';
    END IF;
    IF p_state = 'sent' AND a.counter <> p_by THEN
        RAISE EXCEPTION 'attempt % belongs to %', p_global_id, a.counter USING ERRCODE = 'SH007',
            DETAIL = a.counter;
    END IF;
    IF (p_amount_minor IS NOT NULL AND a.amount_minor IS NOT NULL
        AND p_amount_minor <> a.amount_minor)
       OR (p_currency IS NOT NULL AND a.currency IS NOT NULL AND p_currency <> a.currency) THEN
        RAISE EXCEPTION 'attempt % is for % %', p_global_id, a.amount_minor, a.currency
            USING ERRCODE = 'SH008';
    END IF;
    IF a.state = p_state THEN
        IF p_refund_id IS NOT NULL AND a.refund_id IS NOT NULL AND a.refund_id <> p_refund_id THEN
            RAISE EXCEPTION 'attempt % has another refund ID', p_global_id
                USING ERRCODE = 'SH005',
                DETAIL = json_build_object('current', a.state, 'wanted', p_state)::text;
        END IF;
        IF (p_refund_id IS NULL OR a.refund_id IS NOT NULL)
           AND (p_amount_minor IS NULL OR a.amount_minor IS NOT NULL) THEN
            RETURN false;  -- a repeat: nothing new
        END IF;
        -- The same state with what was missing (a refund ID, a full refund's amount).
        UPDATE attempts SET refund_id = coalesce(refund_id, p_refund_id),
                            amount_minor = coalesce(amount_minor, p_amount_minor),
                            currency = coalesce(currency, p_currency),
                            updated_at = now()
            WHERE global_id = p_global_id;
        INSERT INTO events (global_id, charge_id, counter, from_state, to_state, detail)
            VALUES (p_global_id, a.charge_id, coalesce(p_by, a.counter), a.state, p_state,
                    json_strip_nulls(json_build_object(
                        'refund_id', p_refund_id, 'amount_minor', p_amount_minor))::jsonb);
        RETURN true;
    END IF;
    PERFORM 1 FROM shop_transitions WHERE from_state = a.state AND to_state = p_state;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'attempt % is %', p_global_id, a.state USING ERRCODE = 'SH005',
            DETAIL = json_build_object('current', a.state, 'wanted', p_state)::text;
    END IF;
    SELECT lease_seconds INTO lease FROM counters WHERE name = a.counter;
    UPDATE attempts SET
        state = p_state,
        refund_id = coalesce(p_refund_id, refund_id),
        error_code = coalesce(p_error_code, error_code),
        gateway_text = coalesce(p_gateway_text, gateway_text),
        amount_minor = coalesce(amount_minor, p_amount_minor),
        currency = coalesce(currency, p_currency),
        updated_at = now(),
        lease_until = CASE WHEN p_state = 'sent'
                           THEN now() + make_interval(secs => coalesce(lease, 60)) END
        WHERE global_id = p_global_id;
    INSERT INTO events (global_id, charge_id, counter, from_state, to_state, detail)
        VALUES (p_global_id, a.charge_id, coalesce(p_by, a.counter), a.state, p_state,
                json_strip_nulls(json_build_object(
                    'refund_id', p_refund_id, 'error_code', p_error_code,
                    'amount_minor', p_amount_minor))::jsonb);
    RETURN true;
END $$"""

HEARTBEAT = """
CREATE FUNCTION shop_heartbeat(p_counter text, p_lease_seconds integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    INSERT INTO counters (name, lease_seconds) VALUES (p_counter, p_lease_seconds)
        ON CONFLICT (name) DO UPDATE SET last_seen = now(), lease_seconds = EXCLUDED.lease_seconds;
    UPDATE attempts SET lease_until = now() + make_interval(secs => p_lease_seconds)
        WHERE counter = p_counter AND state IN ('prepared', 'sent');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$"""

EXPIRE = """
CREATE FUNCTION shop_expire_leases(p_by text)
RETURNS TABLE (x_global_id text, x_charge_id text, x_counter text, x_before text, x_after text)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    next_state text;
BEGIN
    FOR r IN SELECT a.global_id, a.charge_id, a.counter, a.state FROM attempts a
             WHERE a.state IN ('prepared', 'sent') AND a.lease_until < now()
             ORDER BY a.lease_until FOR UPDATE SKIP LOCKED LOOP
        -- sent: it may have reached the gateway, so it is never retried, only reconciled;
        -- prepared: a counter sends only after mark_sent, so this one provably never left.
        next_state := CASE r.state WHEN 'sent' THEN 'unknown' ELSE 'cancelled' END;
        UPDATE attempts SET state = next_state, updated_at = now(), lease_until = NULL,
                            error_code = coalesce(error_code, 'lease_expired')
            WHERE global_id = r.global_id;
        INSERT INTO events (global_id, charge_id, counter, from_state, to_state, detail)
            VALUES (r.global_id, r.charge_id, p_by, r.state, next_state,
                    '{"why": "lease_expired"}'::jsonb);
        x_global_id := r.global_id; x_charge_id := r.charge_id; x_counter := r.counter;
        x_before := r.state; x_after := next_state;
        RETURN NEXT;
    END LOOP;
END $$"""

FUNCTIONS = (CLAIM, SET_STATE, HEARTBEAT, EXPIRE)
