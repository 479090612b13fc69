/** The first schema: requests, audit trail, step journal, freezes, leases and deliveries. */
export const INITIAL_SCHEMA: readonly string[] = [
  // Request ids are `R<n>`; `seq` keeps the number so ordering does not sort `R10` before `R9`.
  "CREATE SEQUENCE request_seq",
  `CREATE TABLE requests (
    id text PRIMARY KEY,
    seq bigint NOT NULL UNIQUE,
    service text NOT NULL,
    status text NOT NULL,
    version integer NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    data jsonb NOT NULL
  )`,
  "CREATE INDEX requests_created_idx ON requests (created_at, seq)",
  "CREATE INDEX requests_service_created_idx ON requests (service, created_at, seq)",
  "CREATE INDEX requests_status_idx ON requests (status)",
  "CREATE INDEX requests_updated_idx ON requests (updated_at)",

  `CREATE TABLE audit_events (
    seq bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,
    request_id text,
    service text,
    actor text NOT NULL,
    data jsonb NOT NULL
  )`,
  "CREATE INDEX audit_events_request_idx ON audit_events (request_id, seq)",
  "CREATE INDEX audit_events_service_idx ON audit_events (service, seq)",
  // The trail is evidence of who did what, so the database itself rejects changes to it, from
  // the bot and from anyone else with the bot's credentials short of dropping the trigger.
  `CREATE FUNCTION audit_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % rejected', TG_OP;
  END
  $$`,
  `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change()`,
  `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change()`,

  // `position` orders steps that start within the same millisecond; a restart of a step
  // (ON CONFLICT DO UPDATE) keeps its original position.
  `CREATE TABLE step_journal (
    request_id text NOT NULL,
    phase text NOT NULL,
    step_id text NOT NULL,
    position bigserial NOT NULL,
    title text NOT NULL,
    host text NOT NULL,
    command text NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    result_command text,
    exit_code integer,
    signal text,
    stdout_tail text,
    stderr_tail text,
    duration_ms double precision,
    timed_out boolean,
    ok boolean,
    error text,
    PRIMARY KEY (request_id, phase, step_id)
  )`,

  `CREATE TABLE freezes (
    scope text PRIMARY KEY,
    reason text NOT NULL,
    frozen_by text NOT NULL,
    at timestamptz NOT NULL,
    automatic boolean NOT NULL
  )`,

  `CREATE TABLE leases (
    name text PRIMARY KEY,
    owner text NOT NULL,
    expires_at timestamptz NOT NULL
  )`,

  `CREATE TABLE deliveries (
    key text PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
  )`,
  "CREATE INDEX deliveries_received_idx ON deliveries (received_at)",
];
