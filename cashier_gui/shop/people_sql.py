"""The shop's people on the server (issue 21 items 1 and 6, issue 27 item 8): the migration's
statements. Frozen with the migration: a change is a new migration.

Decisions:
- **The hash never leaves the server.** A counter sends the PIN (over the shop link's TLS) to
  `shop_people_verify`, which checks it with pgcrypto's `crypt()` and bcrypt (`gen_salt('bf',
  PIN_COST)`), on the server. pgcrypto ships with Debian's PostgreSQL (postgresql-15 has it,
  no -contrib package needed) and is a *trusted* extension since PostgreSQL 13, so the
  database's owner may create it without being a superuser. The bcrypt string holds its salt
  and cost; nothing else is stored.
- **A counter's role cannot read `shop_people`** (REVOKE; not granted): it reads the view
  `shop_people_public` (name, role, lock, whether a PIN is set) and calls the functions, which
  run as their owner (SECURITY DEFINER, a fixed search_path).
- **Failures are counted on the server**, under the person's row lock, so guesses from every
  counter and every process count against one limit: 3 wrong PINs lock the person for 1 minute,
  the next 3 for 5, then 15, then 60 minutes each time (`shop_people_lock_minutes`). A right PIN
  resets the count and the schedule; a manager's unlock lifts the lock but keeps the schedule
  (a guesser who talks a manager into unlocking meets the longer lock next time); a new PIN set
  by a manager resets everything. A locked person's PIN is not checked at all.
- **Wrong PINs are answers, not errors**: `shop_people_verify` returns a status row, so the
  transaction that counted the failure commits. The same holds for a manager's PIN given to a
  change (add, remove, new PIN, lock, unlock): the change functions check the manager with the
  same counting and return its status (nothing changed) when it is not a manager's right PIN —
  so the change functions are no way around the lock-out. Refusals of the change itself (a name
  taken, the last manager) raise SH020–SH025 after the check and change nothing.
- **The first person needs no manager** (there is none): while the shop has nobody, anyone may
  add the first person, who must be a manager — as on a counter without a shop.
- `shop_people_changes` keeps who changed whom, when and from which counter (append-only);
  the managers' back-office role `shop_manager` (a member of `shop_counter`) may read it,
  counters may not.

Statuses: ok, not_manager (a change's manager is a cashier), unknown (no such person), no_pin
(imported without one: a manager sets it), locked (still locked: `locked_until`), locked_now
(this failure locked them: `locked_until`, `lock_minutes`), wrong (`left_tries` more).
Errors: SH020 the name is taken; SH021 no such person; SH022 the first person must be a
manager; SH023 the last manager while others remain; SH024 a bad name, role or PIN; SH025 a
change needs a manager (people exist, none given).
"""

from __future__ import annotations

COUNTER_ROLE = "shop_counter"  # schema.COUNTER_ROLE (migration 5)
MANAGER_ROLE = "shop_manager"
PIN_COST = 10  # bcrypt's cost: 2^10 rounds, ≈ 50–80 ms per check on a small server
MAX_FAILURES = 3

_PERSON_OUT = """OUT status text, OUT person text, OUT person_role text,
    OUT locked_until timestamptz, OUT left_tries integer, OUT lock_minutes integer"""

_VERIFY = f"""
CREATE FUNCTION shop_people_verify(p_name text, p_pin text, p_counter text, {_PERSON_OUT})
LANGUAGE plpgsql AS $$
DECLARE
    p shop_people%ROWTYPE;
    lvl integer;
BEGIN
    SELECT * INTO p FROM shop_people WHERE lower(name) = lower(p_name) FOR UPDATE;
    IF NOT FOUND THEN
        status := 'unknown';
        RETURN;
    END IF;
    person := p.name;
    person_role := p.role;
    IF p.locked_until IS NOT NULL AND p.locked_until > now() THEN
        status := 'locked';
        locked_until := p.locked_until;
        RETURN;
    END IF;
    IF p.pin_hash IS NULL THEN
        status := 'no_pin';
        RETURN;
    END IF;
    IF p_pin ~ '^[0-9]{{4,8}}$' AND crypt(p_pin, p.pin_hash) = p.pin_hash THEN
        IF p.failures <> 0 OR p.lock_level <> 0 OR p.locked_until IS NOT NULL THEN
            UPDATE shop_people SET failures = 0, lock_level = 0, locked_until = NULL
                WHERE name = p.name;
        END IF;
        status := 'ok';
        RETURN;
    END IF;
    IF p.failures + 1 >= {MAX_FAILURES} THEN
        lvl := p.lock_level + 1;
        lock_minutes := shop_people_lock_minutes(lvl);
        locked_until := now() + make_interval(mins => lock_minutes);
        UPDATE shop_people SET failures = 0, lock_level = lvl,
            locked_until = shop_people_verify.locked_until WHERE name = p.name;
        INSERT INTO shop_people_changes (counter, by_name, action, person, detail)
            VALUES (p_counter, NULL, 'locked', p.name,
                    jsonb_build_object('minutes', lock_minutes, 'level', lvl));
        status := 'locked_now';
    ELSE
        UPDATE shop_people SET failures = p.failures + 1 WHERE name = p.name;
        left_tries := {MAX_FAILURES} - (p.failures + 1);
        status := 'wrong';
    END IF;
END $$"""  # noqa: S608 (constants only)

# The manager check every change starts with: the manager's status row, `ok` only for a
# manager's right PIN, or for nobody at all when the shop has no people yet (`p_first`).
_MANAGER = f"""
CREATE FUNCTION shop_people_manager(
    p_manager text, p_manager_pin text, p_counter text, p_first boolean, {_PERSON_OUT})
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    -- One change of people at a time, shop-wide: "the last manager" and "the first person"
    -- are decided on what the change before committed.
    PERFORM pg_advisory_xact_lock(hashtextextended('shop_people', 0));
    IF p_first AND NOT EXISTS (SELECT FROM shop_people) THEN
        status := 'ok';
        RETURN;
    END IF;
    IF p_manager IS NULL OR p_manager_pin IS NULL THEN
        RAISE EXCEPTION 'a change of people needs a manager' USING ERRCODE = 'SH025';
    END IF;
    SELECT * INTO r FROM shop_people_verify(p_manager, p_manager_pin, p_counter);
    status := r.status;
    person := r.person;
    person_role := r.person_role;
    locked_until := r.locked_until;
    left_tries := r.left_tries;
    lock_minutes := r.lock_minutes;
    IF status = 'ok' AND person_role <> 'manager' THEN
        status := 'not_manager';
    END IF;
END $$"""  # noqa: S608 (constants only)

_FIND = """
    SELECT * INTO p FROM shop_people WHERE lower(name) = lower(p_name) FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no person %', p_name USING ERRCODE = 'SH021', DETAIL = p_name;
    END IF;"""

_PIN_OK = """
    IF p_pin IS NULL OR p_pin !~ '^[0-9]{4,8}$' THEN
        RAISE EXCEPTION 'a PIN is 4 to 8 digits' USING ERRCODE = 'SH024';
    END IF;"""


def _change(name: str, args: str, body: str, *, first: bool = False) -> str:
    """A change function: (manager, manager PIN, counter, …) → the manager's status row; the
    change is made only when that status is `ok`."""
    declare = "DECLARE\n    m record;\n    p shop_people%ROWTYPE;\n    n integer;"
    return f"""
CREATE FUNCTION {name}(
    p_manager text, p_manager_pin text, p_counter text, {args}, {_PERSON_OUT})
LANGUAGE plpgsql AS $$
{declare}
BEGIN
    SELECT * INTO m FROM shop_people_manager(
        p_manager, p_manager_pin, p_counter, {"true" if first else "false"});
    status := m.status;
    person := m.person;
    person_role := m.person_role;
    locked_until := m.locked_until;
    left_tries := m.left_tries;
    lock_minutes := m.lock_minutes;
    IF status <> 'ok' THEN
        RETURN;
    END IF;
{body}
    INSERT INTO shop_people_changes (counter, by_name, action, person)
        VALUES (p_counter, m.person, '{name.removeprefix("shop_people_")}', p.name);
END $$"""  # noqa: S608 (constants only)


_ADD = _change(
    "shop_people_add",
    "p_name text, p_role text, p_pin text",
    f"""
    IF p_role IS NULL OR p_role NOT IN ('cashier', 'manager') THEN
        RAISE EXCEPTION 'no role %', p_role USING ERRCODE = 'SH024';
    END IF;
    IF p_name IS NULL OR length(p_name) NOT BETWEEN 1 AND 40 OR p_name <> btrim(p_name) THEN
        RAISE EXCEPTION 'a name is 1 to 40 characters' USING ERRCODE = 'SH024';
    END IF;
    IF p_pin IS NOT NULL THEN{_PIN_OK.replace(chr(10), chr(10) + "    ")}
    END IF;
    IF NOT EXISTS (SELECT FROM shop_people) AND p_role <> 'manager' THEN
        RAISE EXCEPTION 'the first person must be a manager' USING ERRCODE = 'SH022';
    END IF;
    IF EXISTS (SELECT FROM shop_people WHERE lower(name) = lower(p_name)) THEN
        RAISE EXCEPTION 'name % taken', p_name USING ERRCODE = 'SH020', DETAIL = p_name;
    END IF;
    INSERT INTO shop_people (name, role, pin_hash)
        VALUES (p_name, p_role,
                CASE WHEN p_pin IS NULL THEN NULL ELSE crypt(p_pin, gen_salt('bf', {PIN_COST})) END)
        RETURNING * INTO p;""",  # noqa: S608
    first=True,
)

_REMOVE = _change(
    "shop_people_remove",
    "p_name text",
    f"""
{_FIND}
    SELECT count(*) INTO n FROM shop_people WHERE role = 'manager';
    IF p.role = 'manager' AND n = 1 AND (SELECT count(*) FROM shop_people) > 1 THEN
        RAISE EXCEPTION 'keep one manager' USING ERRCODE = 'SH023';
    END IF;
    DELETE FROM shop_people WHERE name = p.name;""",  # noqa: S608  # noqa: S608
)

_SET_PIN = _change(
    "shop_people_set_pin",
    "p_name text, p_pin text",
    f"""
{_PIN_OK}{_FIND}
    UPDATE shop_people SET pin_hash = crypt(p_pin, gen_salt('bf', {PIN_COST})), failures = 0,
        lock_level = 0, locked_until = NULL, changed_at = now() WHERE name = p.name;""",  # noqa: S608
)

_UNLOCK = _change(
    "shop_people_unlock",
    "p_name text",
    f"""
{_FIND}
    UPDATE shop_people SET failures = 0, locked_until = NULL, changed_at = now()
        WHERE name = p.name;""",  # noqa: S608
)

_LOCK = _change(
    "shop_people_lock",
    "p_name text",
    f"""
{_FIND}
    UPDATE shop_people SET failures = 0, locked_until = now() + interval '100 years',
        changed_at = now()
        WHERE name = p.name;""",  # noqa: S608
)

_GRANTED = (
    "shop_people_verify(text, text, text)",
    "shop_people_add(text, text, text, text, text, text)",
    "shop_people_remove(text, text, text, text)",
    "shop_people_set_pin(text, text, text, text, text)",
    "shop_people_unlock(text, text, text, text)",
    "shop_people_lock(text, text, text, text)",
)
_INTERNAL = ("shop_people_manager(text, text, text, boolean)", "shop_people_lock_minutes(integer)")

PEOPLE_MIGRATION = (
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
    """CREATE TABLE shop_people (
        name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 40),
        role text NOT NULL CHECK (role IN ('cashier', 'manager')),
        pin_hash text,
        failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        locked_until timestamptz,
        lock_level integer NOT NULL DEFAULT 0 CHECK (lock_level >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        changed_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE UNIQUE INDEX shop_people_one_name ON shop_people (lower(name))",
    """CREATE TABLE shop_people_changes (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        counter text,
        by_name text,
        action text NOT NULL,
        person text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}')""",
    """CREATE FUNCTION shop_people_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the shop''s changes of people are append-only' USING ERRCODE = 'SH010';
    END $$""",
    """CREATE TRIGGER shop_people_changes_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON shop_people_changes
        FOR EACH STATEMENT EXECUTE FUNCTION shop_people_changes_append_only()""",
    """CREATE VIEW shop_people_public AS
        SELECT name, role, locked_until, pin_hash IS NOT NULL AS has_pin FROM shop_people""",
    """CREATE FUNCTION shop_people_lock_minutes(p_level integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN p_level <= 1 THEN 1 WHEN p_level = 2 THEN 5 WHEN p_level = 3 THEN 15
                    ELSE 60 END
    $$""",
    _VERIFY,
    _MANAGER,
    _ADD,
    _REMOVE,
    _SET_PIN,
    _UNLOCK,
    _LOCK,
    # Cluster-wide, like the counters' role: created (and made a member of it) once; a
    # database owner without CREATEROLE can then set up further shops on the same server.
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{MANAGER_ROLE}') THEN
            CREATE ROLE {MANAGER_ROLE} NOLOGIN;
        END IF;
        IF NOT pg_has_role('{MANAGER_ROLE}', '{COUNTER_ROLE}', 'MEMBER') THEN
            GRANT {COUNTER_ROLE} TO {MANAGER_ROLE};
        END IF;
    END $$""",
    # The functions run as their owner with search_path = public, pg_temp (the session's
    # temporary tables last, never first: schema.py's migration 7 says why); nobody else may create a
    # function there that they would call instead (PostgreSQL 15's default; 13 and 14 allowed
    # it; a warning, not an error, where the owner may not revoke it).
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    *(
        f"REVOKE ALL ON {t} FROM PUBLIC"
        for t in ("shop_people", "shop_people_changes", "shop_people_public")
    ),
    "REVOKE ALL ON SEQUENCE shop_people_changes_id_seq FROM PUBLIC",
    f"GRANT SELECT ON shop_people_public TO {COUNTER_ROLE}",
    f"GRANT SELECT ON shop_people_changes TO {MANAGER_ROLE}",
    *(
        f"ALTER FUNCTION {f} SECURITY DEFINER SET search_path = public, pg_temp"
        for f in _GRANTED + _INTERNAL
    ),
    *(f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC" for f in _GRANTED + _INTERNAL),
    *(f"GRANT EXECUTE ON FUNCTION {f} TO {COUNTER_ROLE}" for f in _GRANTED),
)
