-- Fleet: agent labels, enrollment tokens and per-agent credentials.
-- Secrets are never stored: tokens and agent secrets as keyed SHA-256
-- hashes (see controlplane/auth), like API keys.

-- enrolled_at is NULL for agents that report in with the shared NATS
-- token without ever enrolling. policy is the policy named by the
-- enrollment token, applied beside the policies whose selectors match.
ALTER TABLE agents ADD COLUMN enrolled_at BIGINT;
ALTER TABLE agents ADD COLUMN policy TEXT NOT NULL DEFAULT '';
-- labels is the agent's labels as a JSON object, read with the row; the
-- agent_labels table holds the same labels for finding agents by them.
ALTER TABLE agents ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';

CREATE TABLE agent_labels (
    agent_id TEXT NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (agent_id, name)
);
-- Answers "agents with label name=value" in id order, for paging.
CREATE INDEX agent_labels_name_value ON agent_labels (name, value, agent_id);

CREATE TABLE enrollment_tokens (
    id          TEXT NOT NULL PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    labels      TEXT NOT NULL,
    policy      TEXT NOT NULL,
    max_uses    BIGINT NOT NULL,
    uses        BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);

-- One row per agent id ever enrolled. An unenrolled agent keeps its row
-- with revoked_at set, so that a heartbeat already on its way does not
-- bring the agent back into the list.
CREATE TABLE agent_credentials (
    agent_id    TEXT NOT NULL PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    token_id    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
