package payload_test

import (
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/payload"
)

func TestParseCSV(t *testing.T) {
	cols := []string{"temp", "rpm"}
	opts := payload.Options{Format: payload.FormatCSV, Columns: []string{"time", "temp", "rpm"}, TimestampColumn: 0}
	t1 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := t1.Add(time.Second)
	runCases(t, opts, []parseCase{
		{name: "one line", in: "2024-01-02T03:04:05Z,21.5,1500", want: []payload.Sample{at(sample(cols, 21.5, 1500), t1)}},
		{name: "several lines, CRLF, blanks, spaces", in: "1704164645, 1 ,2\r\n\r\n  \n1704164646,3,4\r\n",
			want: []payload.Sample{at(sample(cols, 1, 2), t1), at(sample(cols, 3, 4), t2)}},
		{name: "quoted cells", in: `"2024-01-02 03:04:05", "1", 2`, want: []payload.Sample{at(sample(cols, 1, 2), t1)}},
		{name: "epoch ms", in: "1704164645000,-1e3,0x1p4", want: []payload.Sample{at(sample(cols, -1000, 16), t1)}},

		{name: "too few cells", in: "1704164645,1", reason: input.ReasonMalformed, msg: "line 1: 2 cells, want 3"},
		{name: "too many cells", in: "1704164645,1,2,3", reason: input.ReasonMalformed, msg: "line 1: 4 cells, want 3"},
		{name: "bad quoting", in: `1704164645,"1,2`, reason: input.ReasonMalformed, msg: "line 1: bad quoting"},
		{name: "empty cell", in: "1704164645,,2", reason: input.ReasonMissingValue, msg: `line 1: column "temp": empty`},
		{name: "text", in: "1704164645,1,fast", reason: input.ReasonNonNumeric, msg: `line 1: column "rpm": "fast" is not a number`},
		{name: "NaN", in: "1704164645,NaN,1", reason: input.ReasonNotFinite, msg: `column "temp": "NaN" is not finite`},
		{name: "Inf", in: "1704164645,1,-Inf", reason: input.ReasonNotFinite, msg: `column "rpm": "-Inf" is not finite`},
		{name: "overflow", in: "1704164645,1e400,1", reason: input.ReasonNotFinite, msg: `"1e400" is not finite`},
		{name: "bad timestamp", in: "soon,1,2", reason: input.ReasonBadTimestamp, msg: `line 1: column "time": bad timestamp "soon"`},
		{name: "empty timestamp", in: ",1,2", reason: input.ReasonBadTimestamp, msg: `line 1: column "time": missing`},
		{name: "one bad line of three", in: "1704164645,1,2\n1704164645,x,2\n1704164646,3,4",
			want:   []payload.Sample{at(sample(cols, 1, 2), t1), at(sample(cols, 3, 4), t2)},
			reason: input.ReasonNonNumeric, msg: `line 2: column "temp"`},
		{name: "two bad lines of three", in: "1704164645,1\n1704164645,1,2\n\n1704164645,,2",
			want:   []payload.Sample{at(sample(cols, 1, 2), t1)},
			reason: input.ReasonMalformed, msg: "line 1: 2 cells", skipped: 2},
	})
}

func TestParseCSVNoTimestamp(t *testing.T) {
	cols := []string{"a", "b", "c"}
	runCases(t, payload.Options{Format: payload.FormatCSV, Columns: cols, TimestampColumn: -1, Separator: ';'}, []parseCase{
		{name: "semicolons", in: "1;2;3", want: []payload.Sample{sample(cols, 1, 2, 3)}},
		{name: "comma is not the separator", in: "1,5;2;3", reason: input.ReasonNonNumeric, msg: `column "a": "1,5"`},
	})
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	runCases(t, payload.Options{Format: payload.FormatCSV, Columns: []string{"a", "b", "time"}, TimestampColumn: 2, Separator: '\t'}, []parseCase{
		{name: "tab, timestamp last", in: "1\t\t2024-01-02T03:04:05Z\n", reason: input.ReasonMissingValue, msg: `column "b": empty`},
		{name: "tab, timestamp last, good", in: "1\t2\t2024-01-02T03:04:05Z", want: []payload.Sample{at(sample(cols[:2], 1, 2), ts)}},
	})
}

func TestParseNumber(t *testing.T) {
	f := []string{"value"}
	runCases(t, payload.Options{Format: payload.FormatNumber}, []parseCase{
		{name: "integer", in: "42", want: []payload.Sample{sample(f, 42)}},
		{name: "spaces and newline", in: " -1.5e-3\r\n", want: []payload.Sample{sample(f, -0.0015)}},
		{name: "plus sign", in: "+7", want: []payload.Sample{sample(f, 7)}},

		{name: "empty", in: "", reason: input.ReasonMissingValue, msg: "empty payload"},
		{name: "text", in: "on", reason: input.ReasonNonNumeric, msg: `payload: "on" is not a number`},
		{name: "JSON string", in: `"42"`, reason: input.ReasonNonNumeric, msg: `"\"42\"" is not a number`},
		{name: "two numbers", in: "1 2", reason: input.ReasonNonNumeric, msg: `"1 2" is not a number`},
		{name: "NaN", in: "nan", reason: input.ReasonNotFinite, msg: `"nan" is not finite`},
		{name: "infinity", in: "+Infinity", reason: input.ReasonNotFinite, msg: "not finite"},
		{name: "overflow", in: "-2e308", reason: input.ReasonNotFinite, msg: `"-2e308" is not finite`},
	})
	runCases(t, payload.Options{Format: payload.FormatNumber, Field: "temp", MaxBytes: 8}, []parseCase{
		{name: "named", in: "1", want: []payload.Sample{sample([]string{"temp"}, 1)}},
		{name: "oversize", in: "123456789", reason: input.ReasonOversize, msg: "payload of 9 bytes is over the 8-byte limit"},
	})
}
