package payload

import (
	"bytes"
	"fmt"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
)

// Sample is one measurement from a message.
type Sample struct {
	// Labels come from the payload: influx measurement and tags. Nil when
	// there are none; the caller adds the topic's labels.
	Labels map[string]string
	// Timestamp is in UTC; zero when the payload has none, and the caller
	// then uses the receive time.
	Timestamp time.Time
	// Fields name Values, in a stable order: config order for json, csv and
	// number; sorted by name for influx and senml. Shared, so read-only.
	Fields []string
	// Values are aligned with Fields and always finite.
	Values []float64
}

// Format names a payload encoding.
type Format string

// The supported formats; README.md describes each.
const (
	FormatJSON   Format = "json"
	FormatNumber Format = "number"
	FormatCSV    Format = "csv"
	FormatInflux Format = "influx"
	FormatSenML  Format = "senml"
)

// Field is one value of a JSON object.
type Field struct {
	// Name names the value; empty means Path.
	Name string
	// Path is a dot path through nested objects, such as "sensors.temp";
	// empty means Name. A key that contains a dot cannot be reached.
	Path string
}

// DefaultMaxBytes bounds a payload when Options.MaxBytes is 0.
const DefaultMaxBytes = 1 << 20

// Options configures a Parser; which fields apply depends on Format.
type Options struct {
	// Format is the payload's encoding; it is required.
	Format Format
	// TimestampPath (json) is the dot path of the timestamp; empty means
	// the payload has none.
	TimestampPath string
	// Fields (json) are the values to read, at least one.
	Fields []Field
	// Columns (csv) name a line's cells, in order; every one but the
	// timestamp column is a value.
	Columns []string
	// TimestampColumn (csv) is the index in Columns of the timestamp, or -1
	// for none. Note that 0, the zero value, means the first column.
	TimestampColumn int
	// Separator (csv) separates cells; 0 means ','.
	Separator rune
	// Field (number) names the value; empty means "value".
	Field string
	// TimestampPrecision (influx) is the unit of line timestamps: "ns"
	// (the default when empty), "us", "ms" or "s".
	TimestampPrecision string
	// MaxBytes bounds a payload's size; 0 means DefaultMaxBytes. Larger
	// payloads are refused as ReasonOversize without being parsed.
	MaxBytes int
}

// Parser turns payloads of one format into samples.
type Parser struct {
	format   format
	maxBytes int
}

// format is one encoding's parser. It returns dst with the good samples
// appended and the first bad part, if any.
type format interface {
	parse(b []byte, received time.Time, dst []Sample) ([]Sample, *Error)
}

// NewParser checks o and builds a Parser. Errors name the format, the option
// and the problem, for configuration messages.
func NewParser(o Options) (*Parser, error) {
	if o.MaxBytes < 0 {
		return nil, fmt.Errorf("max_bytes: %d is negative", o.MaxBytes)
	}
	f, err := newFormat(o)
	if err != nil {
		return nil, err
	}
	p := &Parser{format: f, maxBytes: o.MaxBytes}
	if p.maxBytes == 0 {
		p.maxBytes = DefaultMaxBytes
	}
	return p, nil
}

// Parse appends the samples of one message to dst. received is the time the
// message arrived; only SenML's relative times use it. A payload that yields
// nothing returns dst unchanged and an *Error; one where only some parts are
// bad returns the good samples and an *Error about the bad ones.
func (p *Parser) Parse(payload []byte, received time.Time, dst []Sample) ([]Sample, error) {
	if len(payload) > p.maxBytes {
		return dst, p.Oversize(len(payload))
	}
	// An empty payload is how MQTT clears a retained message, so it gets one
	// clear reason in every format.
	if len(bytes.TrimSpace(payload)) == 0 {
		return dst, newError(input.ReasonMissingValue, "empty payload")
	}
	out, e := p.format.parse(payload, received, dst)
	if e != nil {
		return out, e
	}
	return out, nil
}

// MaxBytes is the largest payload Parse accepts.
func (p *Parser) MaxBytes() int { return p.maxBytes }

// Oversize is the error Parse returns for a payload of n bytes, over
// MaxBytes; a caller that skipped such a payload unread reports it so.
func (p *Parser) Oversize(n int) *Error {
	return newError(input.ReasonOversize, "payload of %d bytes is over the %d-byte limit", n, p.maxBytes)
}

func trimSpace(b []byte) string { return string(bytes.TrimSpace(b)) }
