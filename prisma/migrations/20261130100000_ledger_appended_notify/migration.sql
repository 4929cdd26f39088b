-- Wakes the ledger sequencer when events are appended, instead of it polling: one
-- notification per inserting statement (not per row), delivered at commit, to every
-- instance that LISTENs on the channel.
CREATE FUNCTION "ledgix_notify_ledger_appended"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ledgix_ledger_appended', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER "ledger_events_appended"
AFTER INSERT ON "ledger_events"
FOR EACH STATEMENT EXECUTE FUNCTION "ledgix_notify_ledger_appended"();
