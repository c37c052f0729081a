-- Heartbeats report what became of the agent's desired state
-- (protocol.AppliedConfig as JSON; NULL when the agent runs its own file).
ALTER TABLE agents ADD COLUMN config TEXT;
