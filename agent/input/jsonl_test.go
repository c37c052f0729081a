package input_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/agent/input"
)

func TestReadJSONL(t *testing.T) {
	ab := []string{"a", "b"}
	tests := []struct {
		name    string
		content string
		tsKey   string
		fields  []string
		want    []rec
		wantBad []bad
	}{
		{
			name: "good lines, BOM, CRLF and blank lines",
			content: "\xef\xbb\xbf" + `{"ts":"2020-01-01T00:00:00Z","a":1.5,"b":-2,"extra":"x"}` + "\n" +
				`{"b":4,"a":3,"ts":1700000000}` + "\r\n\n  \n" +
				`{"ts":1700000000123,"a":5,"b":6}` + "\n" + ` { "ts" : 1700000000.5 , "a" : 7e0 , "b" : 8 } `,
			tsKey:  "ts",
			fields: ab,
			want: []rec{
				{1, "2020-01-01T00:00:00Z", []float64{1.5, -2}},
				{2, "1700000000", []float64{3, 4}},
				{5, "1700000000123", []float64{5, 6}},
				{6, "1700000000.5", []float64{7, 8}},
			},
		},
		{
			name:    "no timestamp key",
			content: `{"a":1}` + "\n" + `{"a":2}` + "\n",
			fields:  []string{"a"},
			want:    []rec{{1, "1", []float64{1}}, {2, "2", []float64{2}}},
		},
		{
			name: "bad lines",
			content: `{"ts":1700000000,"a":1` + "\n[1,2]\nnull\n\"str\"\n" +
				`{"ts":1700000000,"a":"21.5"}` + "\n" +
				`{"ts":1700000000,"a":true}` + "\n" +
				`{"ts":1700000000,"a":{"x":1}}` + "\n" +
				`{"ts":1700000000}` + "\n" +
				`{"ts":1700000000,"a":null}` + "\n" +
				`{"ts":1700000000,"a":1e999}` + "\n" +
				`{"ts":"soon","a":1}` + "\n" +
				`{"a":1}` + "\n" +
				`{"ts":null,"a":1}` + "\n" +
				`{"ts":1700000000,"a":-0.25}` + "\n",
			tsKey:  "ts",
			fields: []string{"a"},
			want:   []rec{{14, "1700000000", []float64{-0.25}}},
			wantBad: []bad{
				{1, input.ReasonMalformed, "line 1: invalid JSON: *"},
				{2, input.ReasonMalformed, "line 2: JSON array is not an object"},
				{3, input.ReasonMalformed, "line 3: JSON null is not an object"},
				{4, input.ReasonMalformed, "line 4: JSON string is not an object"},
				{5, input.ReasonNonNumeric, `line 5: key "a": string "21.5" is not a number`},
				{6, input.ReasonNonNumeric, `line 6: key "a": "true" is not a number`},
				{7, input.ReasonNonNumeric, `line 7: key "a": "{\"x\":1}" is not a number`},
				{8, input.ReasonMissingValue, `line 8: key "a": missing`},
				{9, input.ReasonMissingValue, `line 9: key "a": null`},
				{10, input.ReasonNotFinite, `line 10: key "a": "1e999" is not finite`},
				{11, input.ReasonBadTimestamp, `line 11: key "ts": bad timestamp "soon": *`},
				{12, input.ReasonBadTimestamp, `line 12: key "ts": missing`},
				{13, input.ReasonBadTimestamp, `line 13: key "ts": missing`},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := input.FileOptions{Format: input.FormatJSONL, TimestampField: tc.tsKey, Fields: tc.fields}
			r := open(t, writeFile(t, tc.content), opts)
			recs, bads := flatten(readAll(t, r, 100))
			checkRecords(t, recs, tc.want)
			checkBad(t, bads, tc.wantBad)
		})
	}
}
