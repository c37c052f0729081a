-- Heartbeats report the outbox's state and the age of its oldest result.
ALTER TABLE agents ADD COLUMN outbox TEXT;
ALTER TABLE agents ADD COLUMN outbox_oldest_seconds DOUBLE PRECISION NOT NULL DEFAULT 0;
