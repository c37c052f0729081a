-- 0001_init: alerts and the latest heartbeat of each agent.
-- Times are unix nanoseconds (UTC) in BIGINT; NULL stands for the zero time.

CREATE TABLE alerts (
    -- seq is the insertion order that cursors point into. AUTOINCREMENT
    -- keeps seq from being reused after deletes, so old cursors stay sound.
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    agent_id    TEXT NOT NULL,
    series      TEXT NOT NULL,
    ts          BIGINT,
    received_at BIGINT,
    body        TEXT NOT NULL
);

CREATE INDEX alerts_agent_seq ON alerts (agent_id, seq);
CREATE INDEX alerts_series_seq ON alerts (series, seq);
CREATE INDEX alerts_ts ON alerts (ts);

CREATE TABLE agents (
    id               TEXT NOT NULL PRIMARY KEY,
    hostname         TEXT NOT NULL,
    agent_version    TEXT NOT NULL,
    last_heartbeat   BIGINT,
    agent_clock      BIGINT,
    started_at       BIGINT,
    interval_seconds DOUBLE PRECISION NOT NULL,
    outbox_depth     BIGINT NOT NULL,
    inputs           TEXT,
    detectors        TEXT
);
