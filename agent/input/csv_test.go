package input_test

import (
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/agent/input"
)

func TestReadCSV(t *testing.T) {
	const tsErr = `bad timestamp "yesterday": want RFC 3339, "2006-01-02 15:04:05[.000000]" or Unix epoch seconds`
	tests := []struct {
		name       string
		content    string
		opts       input.FileOptions
		wantFields []string
		want       []rec
		wantBad    []bad
	}{
		{
			name:       "comma",
			content:    "timestamp,value\n2015-02-26 21:42:53,35\n2015-02-26 21:47:53.000000,-4.5\n",
			opts:       input.FileOptions{TimestampField: "timestamp"},
			wantFields: []string{"value"},
			want:       []rec{{2, "2015-02-26 21:42:53", []float64{35}}, {3, "2015-02-26 21:47:53.000000", []float64{-4.5}}},
		},
		{
			name:       "semicolon",
			content:    "ts;a;b\n2020-01-01T00:00:00Z;1;2\n",
			opts:       input.FileOptions{TimestampField: "ts", Separator: ';'},
			wantFields: []string{"a", "b"},
			want:       []rec{{2, "2020-01-01T00:00:00Z", []float64{1, 2}}},
		},
		{
			name:       "tab keeps empty cells apart",
			content:    "ts\ta\tb\n1700000000\t3\t4\n1700000001\t\t4\n\"1700000002\"\t\t\"4\"\n",
			opts:       input.FileOptions{TimestampField: "ts", Separator: '\t'},
			wantFields: []string{"a", "b"},
			want:       []rec{{2, "1700000000", []float64{3, 4}}},
			wantBad: []bad{{3, input.ReasonMissingValue, `line 3: column "a": empty`},
				{4, input.ReasonMissingValue, `line 4: column "a": empty`}},
		},
		{
			name:       "multibyte separator and spaces",
			content:    "ts ¦ a\n 1700000000 ¦ 4 \n",
			opts:       input.FileOptions{TimestampField: "ts", Separator: '¦'},
			wantFields: []string{"a"},
			want:       []rec{{2, "1700000000", []float64{4}}},
		},
		{
			name:       "quoted fields",
			content:    "\"ts\",\"note\",\"a\"\n\"1700000000\", \"x, y\",\"1.5\"\n",
			opts:       input.FileOptions{TimestampField: "ts", Fields: []string{"a"}},
			wantFields: []string{"a"},
			want:       []rec{{2, "1700000000", []float64{1.5}}},
		},
		{
			name:       "CRLF, BOM and blank lines",
			content:    "\xef\xbb\xbf\r\nts,a\r\n\r\n1700000000,1\r\n   \n1700000001,2\r\n",
			opts:       input.FileOptions{TimestampField: "ts"},
			wantFields: []string{"a"},
			want:       []rec{{4, "1700000000", []float64{1}}, {6, "1700000001", []float64{2}}},
		},
		{
			name:       "fields reordered",
			content:    "a,ts,b\n1,1700000000,2\n",
			opts:       input.FileOptions{TimestampField: "ts", Fields: []string{"b", "a"}},
			wantFields: []string{"b", "a"},
			want:       []rec{{2, "1700000000", []float64{2, 1}}},
		},
		{
			name:       "no timestamp field",
			content:    "a,b\n1,2\n3,4\n",
			wantFields: []string{"a", "b"},
			want:       []rec{{2, "2", []float64{1, 2}}, {3, "3", []float64{3, 4}}},
		},
		{
			name:       "last line without newline",
			content:    "ts,a\n1700000000,1",
			opts:       input.FileOptions{TimestampField: "ts"},
			wantFields: []string{"a"},
			want:       []rec{{2, "1700000000", []float64{1}}},
		},
		{
			name: "bad records",
			content: "ts,a,b\n1700000000,1\n1700000000,abc,1\n1700000000,,1\n1700000000,1,NaN\n" +
				"1700000000,-Inf,1\n1700000000,1e999,1\nyesterday,1,2\n1700000000,\"1,2\n1700000000,1,2\n",
			opts:       input.FileOptions{TimestampField: "ts"},
			wantFields: []string{"a", "b"},
			want:       []rec{{10, "1700000000", []float64{1, 2}}},
			wantBad: []bad{
				{2, input.ReasonMalformed, "line 2: 2 fields, header has 3 columns"},
				{3, input.ReasonNonNumeric, `line 3: column "a": "abc" is not a number`},
				{4, input.ReasonMissingValue, `line 4: column "a": empty`},
				{5, input.ReasonNotFinite, `line 5: column "b": "NaN" is not finite`},
				{6, input.ReasonNotFinite, `line 6: column "a": "-Inf" is not finite`},
				{7, input.ReasonNotFinite, `line 7: column "a": "1e999" is not finite`},
				{8, input.ReasonBadTimestamp, `line 8: column "ts": ` + tsErr},
				{9, input.ReasonMalformed, `line 9: bad quoting at byte 16: extraneous or missing " in quoted-field`},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Format = input.FormatCSV
			r := open(t, writeFile(t, tc.content), tc.opts)
			if got := r.Fields(); !slices.Equal(got, tc.wantFields) {
				t.Errorf("Fields() = %q, want %q", got, tc.wantFields)
			}
			recs, bads := flatten(readAll(t, r, 100))
			checkRecords(t, recs, tc.want)
			checkBad(t, bads, tc.wantBad)
		})
	}
}
