package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/protocol"
)

// AgentRecord is an agent's latest heartbeat as the control plane stored it.
type AgentRecord struct {
	ID              string    `json:"id"`
	Hostname        string    `json:"hostname"`
	Version         string    `json:"version"`
	LastHeartbeat   time.Time `json:"last_heartbeat"` // control plane's clock (receivedAt)
	AgentClock      time.Time `json:"agent_clock"`    // hb.SentAt
	StartedAt       time.Time `json:"started_at"`
	IntervalSeconds float64   `json:"interval_seconds"`
	OutboxDepth     int64     `json:"outbox_depth"`
	// OutboxOldestSeconds is how long the oldest undelivered result had
	// waited when the heartbeat was sent.
	OutboxOldestSeconds float64                    `json:"outbox_oldest_seconds"`
	Inputs              []protocol.ComponentHealth `json:"inputs,omitempty"`
	Detectors           []protocol.ComponentHealth `json:"detectors,omitempty"`
	// Outbox is the outbox's state; nil from agents that do not report it.
	Outbox *protocol.ComponentHealth `json:"outbox,omitempty"`
	// Config is what became of the agent's desired state; nil when the
	// agent runs its own file's pipeline or does not report it.
	Config *protocol.AppliedConfig `json:"config,omitempty"`
	// Labels group agents for queries and policies; never nil.
	Labels map[string]string `json:"labels"`
	// EnrolledAt is when the agent enrolled; zero for agents that report
	// in with the shared NATS token.
	EnrolledAt time.Time `json:"enrolled_at,omitzero"`
	// Policy is the policy its enrollment token named, if any.
	Policy string `json:"policy,omitempty"`
}

// upsertAgentSQL skips agents that were unenrolled: a heartbeat sent
// just before must not bring one back into the list.
// The heartbeat's columns, in the order of the arguments below.
const heartbeatColumns = `hostname, agent_version, last_heartbeat,
    agent_clock, started_at, interval_seconds, outbox_depth, inputs, detectors, outbox, outbox_oldest_seconds, config`

const updateAgentSQL = `UPDATE agents SET hostname = ?, agent_version = ?, last_heartbeat = ?,
    agent_clock = ?, started_at = ?, interval_seconds = ?, outbox_depth = ?, inputs = ?, detectors = ?,
    outbox = ?, outbox_oldest_seconds = ?, config = ?
WHERE id = ?`

// insertAgentSQL adds an agent that reported in without enrolling, unless
// it was unenrolled with its credentials revoked.
const insertAgentSQL = `INSERT INTO agents (id, ` + heartbeatColumns + `)
SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
WHERE NOT EXISTS (SELECT 1 FROM agent_credentials WHERE agent_id = ? AND revoked_at IS NOT NULL)
ON CONFLICT (id) DO NOTHING`

const selectAgentsSQL = `SELECT id, hostname, agent_version, last_heartbeat, agent_clock,
    started_at, interval_seconds, outbox_depth, inputs, detectors, outbox, outbox_oldest_seconds, config,
    enrolled_at, policy, labels
FROM agents`

// UpsertHeartbeat records an agent's latest heartbeat (insert or replace by
// agent id) and reports whether it added the agent: one that reports in
// with the shared token and never enrolled, or came back after it was
// unenrolled. The last write wins, whatever the heartbeats' own clocks say.
//
// An agent already there costs one UPDATE; only a new one costs an INSERT
// too, so telling the two apart needs no look-up of its own.
func (s *Store) UpsertHeartbeat(ctx context.Context, hb protocol.Heartbeat, receivedAt time.Time) (created bool, err error) {
	if hb.AgentID == "" {
		return false, errors.New("upsert heartbeat: no agent id (validate with protocol.DecodeHeartbeat first)")
	}
	inputs, err := componentsJSON(hb.Inputs)
	if err != nil {
		return false, fmt.Errorf("upsert heartbeat %s: inputs: %w", hb.AgentID, err)
	}
	detectors, err := componentsJSON(hb.Detectors)
	if err != nil {
		return false, fmt.Errorf("upsert heartbeat %s: detectors: %w", hb.AgentID, err)
	}
	var outbox sql.NullString
	if hb.Outbox != (protocol.ComponentHealth{}) {
		if outbox, err = componentsJSON([]protocol.ComponentHealth{hb.Outbox}); err != nil {
			return false, fmt.Errorf("upsert heartbeat %s: outbox: %w", hb.AgentID, err)
		}
	}
	var cfg sql.NullString
	if hb.Config != nil {
		b, err := json.Marshal(hb.Config)
		if err != nil {
			return false, fmt.Errorf("upsert heartbeat %s: config: %w", hb.AgentID, err)
		}
		cfg = sql.NullString{String: string(b), Valid: true}
	}
	vals := []any{hb.Hostname, hb.AgentVersion, nullNanos(receivedAt), nullNanos(hb.SentAt), nullNanos(hb.StartedAt),
		hb.IntervalSeconds, hb.OutboxDepth, inputs, detectors, outbox, hb.OutboxOldestSeconds, cfg}
	fail := func(err error) (bool, error) { return false, fmt.Errorf("upsert heartbeat %s: %w", hb.AgentID, err) }
	update := func() (int64, error) {
		res, err := s.db.ExecContext(ctx, s.q(updateAgentSQL), append(vals, hb.AgentID)...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	n, err := update()
	switch {
	case err != nil:
		return fail(err)
	case n > 0:
		return false, nil
	}
	res, err := s.db.ExecContext(ctx, s.q(insertAgentSQL), append(append([]any{hb.AgentID}, vals...), hb.AgentID)...)
	if err != nil {
		return fail(err)
	}
	switch n, err := res.RowsAffected(); {
	case err != nil:
		return fail(err)
	case n == 1:
		return true, nil
	}
	// Another replica added it first, or it was unenrolled for good (and
	// this updates nothing, as it should).
	if _, err := update(); err != nil {
		return fail(err)
	}
	return false, nil
}

// AgentFilter selects agents for ListAgents.
type AgentFilter struct {
	// Labels the agents must have, name to value (an index answers them).
	Labels map[string]string
	// After skips agents whose id is not greater (the page cursor).
	After string
	// Limit bounds the agents returned; 0 for no bound.
	Limit int
}

// ListAgents returns the agents that match f, ordered by id, with their
// labels; none gives an empty, non-nil slice.
func (s *Store) ListAgents(ctx context.Context, f AgentFilter) ([]AgentRecord, error) {
	query, args := agentsQuery(f)
	st, err := s.prepared(ctx, s.q(query))
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	agents, err := queryAll(ctx, stmtQuerier{st}, "", args, scanAgent)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	return agents, nil
}

// agentsQuery builds ListAgents' query. With labels, it walks the label
// index of the first one in id order and checks the others per row, so a
// page of a label's agents costs the page, not the fleet.
func agentsQuery(f AgentFilter) (string, []any) {
	var (
		b    strings.Builder
		args []any
	)
	names := slices.Sorted(maps.Keys(f.Labels))
	b.WriteString(selectAgentsSQL)
	idCol := "id"
	if len(names) > 0 {
		b.WriteString(" JOIN agent_labels l0 ON l0.agent_id = agents.id AND l0.name = ? AND l0.value = ?")
		args = append(args, names[0], f.Labels[names[0]])
		idCol = "l0.agent_id"
	}
	b.WriteString(" WHERE " + idCol + " > ?")
	args = append(args, f.After)
	for _, k := range names[min(1, len(names)):] {
		b.WriteString(" AND EXISTS (SELECT 1 FROM agent_labels l WHERE l.agent_id = agents.id AND l.name = ? AND l.value = ?)")
		args = append(args, k, f.Labels[k])
	}
	b.WriteString(" ORDER BY " + idCol)
	if f.Limit > 0 {
		b.WriteString(" LIMIT ?")
		args = append(args, f.Limit)
	}
	return b.String(), args
}

// GetAgent returns the agent id, or ErrNotFound when it never reported in.
func (s *Store) GetAgent(ctx context.Context, id string) (AgentRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q(selectAgentsSQL+" WHERE id = ?"), id)
	if err != nil {
		return AgentRecord{}, fmt.Errorf("get agent %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return AgentRecord{}, fmt.Errorf("get agent %s: %w", id, err)
		}
		return AgentRecord{}, fmt.Errorf("agent %s: %w", id, ErrNotFound)
	}
	a, err := scanAgent(rows)
	if err != nil {
		return AgentRecord{}, fmt.Errorf("get agent %s: %w", id, err)
	}
	return a, nil
}

func scanAgent(rows *sql.Rows) (AgentRecord, error) {
	var (
		a                    AgentRecord
		last, clock, started sql.NullInt64
		inputs, detectors    sql.NullString
		outbox, cfg          sql.NullString
		enrolled             sql.NullInt64
		labels               string
	)
	err := rows.Scan(&a.ID, &a.Hostname, &a.Version, &last, &clock, &started,
		&a.IntervalSeconds, &a.OutboxDepth, &inputs, &detectors, &outbox, &a.OutboxOldestSeconds, &cfg,
		&enrolled, &a.Policy, &labels)
	if err != nil {
		return AgentRecord{}, fmt.Errorf("scan: %w", err)
	}
	a.LastHeartbeat, a.AgentClock, a.StartedAt = fromNanos(last), fromNanos(clock), fromNanos(started)
	a.EnrolledAt = fromNanos(enrolled)
	if a.Labels, err = parseLabels(labels); err != nil {
		return AgentRecord{}, fmt.Errorf("agent %s labels: %w", a.ID, err)
	}
	if a.Inputs, err = parseComponents(inputs); err != nil {
		return AgentRecord{}, fmt.Errorf("agent %s inputs: %w", a.ID, err)
	}
	if a.Detectors, err = parseComponents(detectors); err != nil {
		return AgentRecord{}, fmt.Errorf("agent %s detectors: %w", a.ID, err)
	}
	ob, err := parseComponents(outbox)
	if err != nil {
		return AgentRecord{}, fmt.Errorf("agent %s outbox: %w", a.ID, err)
	}
	if len(ob) == 1 {
		a.Outbox = &ob[0]
	}
	if cfg.Valid {
		a.Config = new(protocol.AppliedConfig)
		if err := json.Unmarshal([]byte(cfg.String), a.Config); err != nil {
			return AgentRecord{}, fmt.Errorf("agent %s config: %w", a.ID, err)
		}
	}
	return a, nil
}

// componentsJSON stores an empty list as NULL rather than "null" or "[]".
func componentsJSON(cs []protocol.ComponentHealth) (sql.NullString, error) {
	if len(cs) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(cs)
	return sql.NullString{String: string(b), Valid: err == nil}, err
}

func parseComponents(v sql.NullString) ([]protocol.ComponentHealth, error) {
	if !v.Valid {
		return nil, nil
	}
	var cs []protocol.ComponentHealth
	err := json.Unmarshal([]byte(v.String), &cs)
	return cs, err
}
