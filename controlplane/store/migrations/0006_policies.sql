-- Policies: pipeline configuration that the control plane renders into
-- the desired state of every agent a policy's label selector matches
-- (controlplane/policy). Each change is a new revision; the last
-- revisions are kept, so a policy can be rolled back.

-- One row per policy: which of its revisions is in force.
CREATE TABLE policies (
    name       TEXT NOT NULL PRIMARY KEY,
    revision   BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A policy's content at each revision, the current one included.
-- models is JSON: [{"input", "name", "version"}]. restored_from is the
-- revision a rollback copied, 0 for an ordinary change.
CREATE TABLE policy_revisions (
    name          TEXT NOT NULL,
    revision      BIGINT NOT NULL,
    description   TEXT NOT NULL,
    selector      TEXT NOT NULL,
    priority      BIGINT NOT NULL,
    pipeline      TEXT NOT NULL,
    models        TEXT NOT NULL,
    restored_from BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    PRIMARY KEY (name, revision)
);
