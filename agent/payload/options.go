package payload

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

func newFormat(o Options) (format, error) {
	switch o.Format {
	case FormatJSON:
		return newJSONFormat(o)
	case FormatNumber:
		name := o.Field
		if name == "" {
			name = "value"
		}
		return &numberFormat{fields: []string{name}}, nil
	case FormatCSV:
		return newCSVFormat(o)
	case FormatInflux:
		return newInfluxFormat(o)
	case FormatSenML:
		return senmlFormat{}, nil
	case "":
		return nil, fmt.Errorf("format: required, one of json, number, csv, influx, senml")
	}
	return nil, fmt.Errorf("format: %q is not one of json, number, csv, influx, senml", string(o.Format))
}

func newCSVFormat(o Options) (*csvFormat, error) {
	if len(o.Columns) == 0 {
		return nil, fmt.Errorf("csv: columns: at least one column is required")
	}
	if err := uniqueNames("csv: columns", o.Columns); err != nil {
		return nil, err
	}
	if o.TimestampColumn < -1 || o.TimestampColumn >= len(o.Columns) {
		return nil, fmt.Errorf("csv: timestamp_column: %d is outside -1..%d (-1 means none)", o.TimestampColumn, len(o.Columns)-1)
	}
	if len(o.Columns) == 1 && o.TimestampColumn == 0 {
		return nil, fmt.Errorf("csv: columns: the timestamp column %q leaves no value column", o.Columns[0])
	}
	sep := o.Separator
	if sep == 0 {
		sep = ','
	}
	if sep == '"' || sep == '\r' || sep == '\n' || !utf8.ValidRune(sep) || sep == utf8.RuneError {
		return nil, fmt.Errorf("csv: separator: %q cannot separate cells", sep)
	}
	// Copies, so the caller's slice can change without changing the Parser.
	cols, values := slices.Clone(o.Columns), slices.Clone(o.Columns)
	if ts := o.TimestampColumn; ts >= 0 {
		values = slices.Delete(values, ts, ts+1)
	}
	return &csvFormat{sep: sep, sepStr: string(sep), columns: cols, values: values, ts: o.TimestampColumn}, nil
}

// uniqueNames rejects empty and repeated names, which would make two values
// indistinguishable downstream.
func uniqueNames(option string, names []string) error {
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			return fmt.Errorf("%s[%d]: empty name", option, i)
		}
		if seen[n] {
			return fmt.Errorf("%s[%d]: name %q repeated", option, i, n)
		}
		seen[n] = true
	}
	return nil
}

func newInfluxFormat(o Options) (*influxFormat, error) {
	var mult int64 // nanoseconds per unit
	switch o.TimestampPrecision {
	case "", "ns":
		mult = 1
	case "us":
		mult = 1e3
	case "ms":
		mult = 1e6
	case "s":
		mult = 1e9
	default:
		return nil, fmt.Errorf("influx: timestamp_precision: %q is not one of ns, us, ms, s", o.TimestampPrecision)
	}
	return &influxFormat{mult: mult}, nil
}
