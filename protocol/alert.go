package protocol

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// AlertVersion is the newest alert message version this build writes and reads.
const AlertVersion = 1

// Severity levels an alert may carry.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Alert is one anomaly incident detected by an agent. It is the payload of
// messages on AlertSubject and the row the control plane stores.
type Alert struct {
	Version int `json:"v"`
	// ID is deterministic (see AlertID), so a replayed or retried alert has
	// the same id and de-duplicates in JetStream and in the store.
	ID      string            `json:"id"`
	AgentID string            `json:"agent_id"`
	Series  string            `json:"series"` // canonical, see SeriesName
	Metric  string            `json:"metric"`
	Labels  map[string]string `json:"labels,omitempty"`
	// Timestamp is the sample's own time, not the time of detection.
	Timestamp time.Time `json:"timestamp"`
	// Values holds the sample's values by field name.
	Values       map[string]float64 `json:"values"`
	Score        float64            `json:"score"`
	Threshold    float64            `json:"threshold"`
	Severity     string             `json:"severity"`
	Detector     string             `json:"detector"`
	ModelVersion string             `json:"model_version,omitempty"`
	// Contributions, for multivariate detectors, says how much each field
	// made the sample anomalous.
	Contributions map[string]float64 `json:"contributions,omitempty"`
	// DetectedAt is the agent's clock when the alert was raised.
	DetectedAt time.Time `json:"detected_at"`
}

// Timestamps must lie where UnixNano is defined (1677-09-21 to
// 2262-04-11), since alert ids are derived from it.
var (
	minTimestamp = time.Unix(0, math.MinInt64).UTC()
	maxTimestamp = time.Unix(0, math.MaxInt64).UTC()
)

// ValidTimestamp reports whether t can be a sample's or an alert's time.
// Inputs reject samples outside this range rather than raise alerts the
// control plane would refuse.
func ValidTimestamp(t time.Time) bool {
	return !t.Before(minTimestamp) && !t.After(maxTimestamp)
}

// AlertID derives an alert's globally unique, deterministic id from what
// identifies the incident: agent, series, detector and sample timestamp.
func AlertID(agentID, series, detector string, ts time.Time) string {
	h := sha256.New()
	for _, s := range []string{agentID, series, detector, strconv.FormatInt(ts.UnixNano(), 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Validate reports the first problem that makes a an unusable alert.
func (a *Alert) Validate() error {
	switch {
	case a.Version < 1 || a.Version > AlertVersion:
		return fmt.Errorf("alert version %d: %w (this build reads 1..%d)", a.Version, ErrUnsupportedVersion, AlertVersion)
	case a.ID == "":
		return fmt.Errorf("alert without id: %w", ErrInvalidMessage)
	case a.Series == "":
		return fmt.Errorf("alert %s without series: %w", a.ID, ErrInvalidMessage)
	case a.Timestamp.IsZero():
		return fmt.Errorf("alert %s without timestamp: %w", a.ID, ErrInvalidMessage)
	case !ValidTimestamp(a.Timestamp):
		return fmt.Errorf("alert %s: timestamp %s outside %d..%d: %w", a.ID, a.Timestamp.Format(time.RFC3339), minTimestamp.Year(), maxTimestamp.Year(), ErrInvalidMessage)
	case !a.DetectedAt.IsZero() && !ValidTimestamp(a.DetectedAt):
		return fmt.Errorf("alert %s: detected_at %s outside %d..%d: %w", a.ID, a.DetectedAt.Format(time.RFC3339), minTimestamp.Year(), maxTimestamp.Year(), ErrInvalidMessage)
	case math.IsNaN(a.Score) || a.Score < 0 || a.Score > 1:
		return fmt.Errorf("alert %s: score %v outside [0,1]: %w", a.ID, a.Score, ErrInvalidMessage)
	}
	if err := ValidateAgentID(a.AgentID); err != nil {
		return fmt.Errorf("alert %s: %v: %w", a.ID, err, ErrInvalidMessage)
	}
	return nil
}

// DecodeAlert parses and validates an alert message. Unknown fields are
// ignored so that newer agents can add fields.
func DecodeAlert(data []byte) (Alert, error) {
	var a Alert
	if err := json.Unmarshal(data, &a); err != nil {
		return Alert{}, fmt.Errorf("decode alert: %v: %w", err, ErrInvalidMessage)
	}
	return a, a.Validate()
}
