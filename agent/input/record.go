package input

import "time"

// Record is one usable line of input.
type Record struct {
	// Line is the 1-based line number in the file.
	Line int64
	// Timestamp is in UTC.
	Timestamp time.Time
	// TimestampText is the timestamp as it appeared in the input, so output
	// can echo it unchanged; without a timestamp field it is the line number.
	TimestampText string
	// Values are aligned with Fields, or with Reader.Fields() when Fields
	// is nil.
	Values []float64
	// Fields names the values of a record that brings its own (an MQTT
	// message); nil for file records, whose fields are the reader's.
	Fields []string
	// Labels are the record's own labels (from an MQTT topic or payload),
	// added to the input's; nil for file records. Records may share one
	// map, which no one modifies.
	Labels map[string]string
	// LabelsKey, when set, is protocol.SeriesName("", Labels), computed
	// once by a producer that sees the same labels again (a topic), so
	// that each record need not.
	LabelsKey string
}

// BadRecord is a line that could not be used; the reader skips it and
// carries on.
type BadRecord struct {
	// Line is the 1-based line number in the file.
	Line int64
	// Reason is one of the Reason* constants, fit for a metric label.
	Reason string
	// Err names the line, the column or key, and the problem.
	Err error
}

// Reasons a line is skipped; they are metric label values, so never rename one.
const (
	// ReasonMalformed: wrong number of CSV fields, bad quoting, invalid JSON,
	// or JSON that is not an object.
	ReasonMalformed = "malformed"
	// ReasonNonNumeric: a value that is not a number, or a JSON value of
	// another type (a numeric string included).
	ReasonNonNumeric = "non_numeric"
	// ReasonMissingValue: an empty CSV cell, an absent JSON key or JSON null.
	ReasonMissingValue = "missing_value"
	// ReasonNotFinite: NaN, infinity, or a number too large for float64.
	ReasonNotFinite = "not_finite"
	// ReasonBadTimestamp: a timestamp ParseTimestamp rejects, or none.
	ReasonBadTimestamp = "bad_timestamp"
	// ReasonOversize: a line longer than FileOptions.MaxLineBytes.
	ReasonOversize = "oversize"
	// ReasonFields: a multivariate record whose fields are not those of
	// its series (set by the pipeline, not the reader).
	ReasonFields = "fields"
)

// Batch is what one Next call consumed.
type Batch struct {
	// Records are the usable lines, in file order.
	Records []Record
	// Bad are the skipped lines, in file order.
	Bad []BadRecord
	// Offset is the byte offset just after the last consumed line: store it
	// once the batch's results are durable, and pass it to Seek.
	Offset int64
	// Line is the number of the last consumed line, stored with Offset.
	Line int64
}
