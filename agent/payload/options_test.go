package payload_test

import (
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/payload"
)

func TestNewParserErrors(t *testing.T) {
	json := func(ts string, f ...payload.Field) payload.Options {
		return payload.Options{Format: payload.FormatJSON, TimestampPath: ts, Fields: f}
	}
	csv := func(ts int, sep rune, cols ...string) payload.Options {
		return payload.Options{Format: payload.FormatCSV, TimestampColumn: ts, Separator: sep, Columns: cols}
	}
	for _, tc := range []struct {
		name string
		opts payload.Options
		want string
	}{
		{"no format", payload.Options{}, "format: required, one of json, number, csv, influx, senml"},
		{"unknown format", payload.Options{Format: "xml"}, `format: "xml" is not one of`},
		{"negative max", payload.Options{Format: payload.FormatNumber, MaxBytes: -1}, "max_bytes: -1 is negative"},
		{"json without fields", json(""), "json: fields: at least one field is required"},
		{"json empty field", json("", payload.Field{}), "json: fields[0]: path or name is required"},
		{"json empty key", json("", payload.Field{Path: "a..b"}), `json: fields[0]: path "a..b" has an empty key`},
		{"json trailing dot", json("", payload.Field{Path: "a."}), `path "a." has an empty key`},
		{"json repeated path", json("", payload.Field{Path: "a"}, payload.Field{Name: "b", Path: "a"}), `json: fields[1]: path "a": "a" is already a value`},
		{"json value then object", json("", payload.Field{Path: "a"}, payload.Field{Path: "a.b"}), `json: fields[1]: path "a.b": "a" is already a value`},
		{"json object then value", json("", payload.Field{Path: "a.b"}, payload.Field{Path: "a"}), `json: fields[1]: path "a" is already an object holding "a.b"`},
		{"json repeated name", json("", payload.Field{Name: "x", Path: "a"}, payload.Field{Name: "x", Path: "b"}), `json: fields[1]: name "x" repeated`},
		{"json timestamp is a field", json("a", payload.Field{Path: "a"}), `json: timestamp_path: path "a": "a" is already a value`},
		{"csv without columns", csv(-1, 0), "csv: columns: at least one column is required"},
		{"csv empty column", csv(-1, 0, "a", " "), "csv: columns[1]: empty name"},
		{"csv repeated column", csv(-1, 0, "a", "a"), `csv: columns[1]: name "a" repeated`},
		{"csv timestamp too far", csv(2, 0, "a", "b"), "csv: timestamp_column: 2 is outside -1..1"},
		{"csv timestamp negative", csv(-2, 0, "a"), "csv: timestamp_column: -2 is outside -1..0"},
		{"csv only a timestamp", csv(0, 0, "ts"), `csv: columns: the timestamp column "ts" leaves no value column`},
		{"csv quote separator", csv(-1, '"', "a"), `csv: separator: '"' cannot separate cells`},
		{"csv newline separator", csv(-1, '\n', "a"), `csv: separator: '\n' cannot separate cells`},
		{"influx precision", payload.Options{Format: payload.FormatInflux, TimestampPrecision: "m"}, `influx: timestamp_precision: "m" is not one of ns, us, ms, s`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := payload.NewParser(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
