"""Migration 10: sign-in sessions on the shop server (closing issue 21's "left": the claim
trusted the operator's name as the counter's own word). Frozen with the migration: a change
is a new migration.

Decisions:
- **Opened in the step that checks the PIN.** `shop_people_sign_in` calls `shop_people_verify`
  (counted, locked, as before) and, for the right PIN only, makes a random token
  (`gen_random_bytes(32)`), stores its SHA-256 with the person, the counter, `opened_at` and
  `expires_at`, and returns the token (hex) once. The server never keeps the token itself: a
  copy of the table, or a login that may read it, cannot claim as anyone.
- **Lifetime: 12 hours** (`SESSION_HOURS`) from sign-in — longer than a shift, shorter than a
  day, so a token forgotten in a counter's memory overnight is dead by the morning. A counter's
  own idle sign-out (minutes) ends it sooner; `shop_session_end` (sign-out, Ctrl+L, the idle
  lock, the CLI after its refund) ends it at once.
- **The claim takes the token, not the name.** In a shop with people, `shop_claim_checked`
  (new signature: the token last) finds the session by the token's hash, refuses it when it is
  unknown, ended, expired or opened at another counter, or when its person has since been
  removed or locked — a status row, nothing claimed — and takes the operator's name and role
  from `shop_people` at the moment of the claim (a demoted manager claims as a cashier). A name
  the counter passes must be the session's person (a counter's two records must agree). So a
  counter's login that knows nobody's PIN cannot claim as a manager, and a cashier's token
  cannot go alone past `refunds_per_day`.
- **A session gates the claim only.** An attempt already claimed (its global ID known: an
  outbox repeating a claim) is answered from what is stored, and `shop_set_state` (sent,
  outcomes, replayed after a restart) needs no session: money may have moved, and the shop must
  hear how it ended even after its operator signed out.
- **A shop without people** has nobody to sign in: the claim is made as before, on the
  counter's word (as on a counter without people).
- Counters may not read `shop_sessions` (not granted); its rows are kept (ended or expired)
  for audit; nothing removes them.

Statuses of the claim (besides the approver's, people_sql.py): no_session (none given, or not
a token), session_unknown, session_ended, session_expired, session_elsewhere (another counter),
session_gone (its person was removed or locked), session_other (a name not the session's).
"""

from __future__ import annotations

from cashier_gui.shop.people_sql import COUNTER_ROLE

SESSION_HOURS = 12

_PERSON_OUT = """OUT status text, OUT person text, OUT person_role text,
    OUT locked_until timestamptz, OUT left_tries integer, OUT lock_minutes integer"""

CLAIM_ARGS = ("text",) * 5 + ("bigint", "text", "text", "text", "bigint", "integer", "bigint")
OLD_CLAIM = "shop_claim_checked(" + ", ".join((*CLAIM_ARGS, "text")) + ")"
CLAIM = "shop_claim_checked(" + ", ".join((*CLAIM_ARGS, "text", "text")) + ")"

_SIGN_IN = f"""
CREATE FUNCTION shop_people_sign_in(p_name text, p_pin text, p_counter text, {_PERSON_OUT},
    OUT token text, OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v record;
    raw bytea;
BEGIN
    SELECT * INTO v FROM shop_people_verify(p_name, p_pin, p_counter);
    status := v.status;
    person := v.person;
    person_role := v.person_role;
    locked_until := v.locked_until;
    left_tries := v.left_tries;
    lock_minutes := v.lock_minutes;
    IF status <> 'ok' THEN
        RETURN;  -- the failure counted commits; no session
    END IF;
    raw := gen_random_bytes(32);
    expires_at := now() + make_interval(hours => {SESSION_HOURS});
    INSERT INTO shop_sessions (token_hash, person, counter, expires_at)
        VALUES (sha256(raw), v.person, p_counter, shop_people_sign_in.expires_at);
    token := encode(raw, 'hex');
END $$"""  # noqa: S608 (constants only)

_END = """
CREATE FUNCTION shop_session_end(p_token text, p_counter text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF p_token IS NULL OR p_token !~ '^[0-9a-f]{64}$' THEN
        RETURN false;
    END IF;
    UPDATE shop_sessions SET ended_at = now()
        WHERE token_hash = sha256(decode(p_token, 'hex')) AND counter = p_counter
          AND ended_at IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n > 0;
END $$"""

# Who a token signs in, or why not (a status): the claim's first step.
_WHO = """
CREATE FUNCTION shop_session_person(p_token text, p_counter text,
    OUT status text, OUT person text, OUT person_role text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s shop_sessions%ROWTYPE;
    p shop_people%ROWTYPE;
BEGIN
    IF p_token IS NULL OR p_token !~ '^[0-9a-f]{64}$' THEN
        status := 'no_session';
        RETURN;
    END IF;
    SELECT * INTO s FROM shop_sessions WHERE token_hash = sha256(decode(p_token, 'hex'));
    IF NOT FOUND THEN
        status := 'session_unknown';
        RETURN;
    END IF;
    person := s.person;
    IF s.counter <> p_counter THEN
        status := 'session_elsewhere';
    ELSIF s.ended_at IS NOT NULL THEN
        status := 'session_ended';
    ELSIF s.expires_at <= now() THEN
        status := 'session_expired';
    ELSE
        SELECT * INTO p FROM shop_people WHERE lower(name) = lower(s.person);
        IF NOT FOUND OR (p.locked_until IS NOT NULL AND p.locked_until > now()) THEN
            status := 'session_gone';
        ELSE
            status := 'ok';
            person := p.name;
            person_role := p.role;
        END IF;
    END IF;
END $$"""

_CLAIM = """
CREATE FUNCTION shop_claim_checked(
    p_global_id text, p_counter text, p_charge_id text, p_kind text, p_provider text,
    p_amount_minor bigint, p_currency text, p_operator text, p_approver text,
    p_total_minor bigint, p_lease_seconds integer, p_policy_version bigint,
    p_approver_pin text, p_session text,
    OUT status text, OUT person text, OUT person_role text, OUT locked_until timestamptz,
    OUT left_tries integer, OUT lock_minutes integer, OUT repeat boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v record;
    who record;
    v_operator text := p_operator;
    approver text := p_approver;
BEGIN
    status := 'ok';
    IF NOT EXISTS (SELECT FROM attempts WHERE global_id = p_global_id)
       AND EXISTS (SELECT FROM shop_people) THEN
        -- The operator is whom the session signed in, never the name the counter sends.
        SELECT * INTO who FROM shop_session_person(p_session, p_counter);
        IF who.status = 'ok' AND p_operator IS NOT NULL
           AND lower(p_operator) <> lower(who.person) THEN
            who.status := 'session_other';
        END IF;
        IF who.status <> 'ok' THEN
            status := who.status;
            person := who.person;
            RETURN;  -- nothing claimed
        END IF;
        v_operator := who.person;
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
        ELSIF who.person_role <> 'manager' THEN
            PERFORM shop_check_policy(
                coalesce(p_policy_version, (SELECT version FROM shop_policy)), v_operator, p_kind);
        END IF;
    END IF;
    repeat := shop_claim(p_global_id, p_counter, p_charge_id, p_kind, p_provider,
        p_amount_minor, p_currency, v_operator, approver, p_total_minor, p_lease_seconds);
END $$"""

_GRANTED = (
    "shop_people_sign_in(text, text, text)",
    "shop_session_end(text, text)",
    CLAIM,
)

SESSIONS_MIGRATION = (
    """CREATE TABLE shop_sessions (
        token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
        person text NOT NULL CHECK (length(person) BETWEEN 1 AND 40),
        counter text NOT NULL CHECK (length(counter) BETWEEN 1 AND 100),
        opened_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        ended_at timestamptz)""",
    "CREATE INDEX shop_sessions_open ON shop_sessions (person) WHERE ended_at IS NULL",
    "REVOKE ALL ON shop_sessions FROM PUBLIC",
    # The claim that trusted the counter's name is gone: nobody may call it any more.
    f"DROP FUNCTION {OLD_CLAIM}",
    _SIGN_IN,
    _END,
    _WHO,
    _CLAIM,
    "REVOKE ALL ON FUNCTION shop_session_person(text, text) FROM PUBLIC",
    *(f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC" for f in _GRANTED),
    *(f"GRANT EXECUTE ON FUNCTION {f} TO {COUNTER_ROLE}" for f in _GRANTED),
)


#: Migration 11: a lock after wrong PINs no longer ends a session. Anyone at any counter can type
#: three wrong PINs for a name; that lock stops the guessing (no one signs in as that person for
#: a while) but proved nothing against the person already signed in with the right PIN — who was
#: signed out mid-refund, told "locked by a manager", and could not sign in again until the lock
#: ran out (1, 5, 15, 60 minutes: a way to keep any cashier out). Only a manager's lock (more than
#: a year ahead: operators.MANAGER_LOCK_OVER) or removal ends a session.
_WHO_V11 = _WHO.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1).replace(
    "(p.locked_until IS NOT NULL AND p.locked_until > now())",
    "(p.locked_until IS NOT NULL AND p.locked_until > now() + interval '365 days')",
    1,
)
assert _WHO_V11.count("365 days") == 1
SESSION_LOCK_MIGRATION = (_WHO_V11,)
