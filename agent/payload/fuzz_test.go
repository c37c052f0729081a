package payload_test

import (
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/payload"
)

// The fuzz targets check the invariants of checkParse; their seed corpora
// live in testdata/fuzz/<target>.

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"ts":"2024-01-02T03:04:05Z","s":{"a":1,"b":{"c":2}},"d":3}`))
	p := mustParser(f, payload.Options{Format: payload.FormatJSON, TimestampPath: "ts", MaxBytes: 4096,
		Fields: []payload.Field{{Path: "s.a"}, {Name: "c", Path: "s.b.c"}, {Path: "d"}}})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range checkParse(t, p, data) {
			if len(s.Values) != 3 || s.Timestamp.IsZero() {
				t.Fatalf("sample %+v: want 3 values and a timestamp", s)
			}
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("1704164645,1,2\n,,\n\"1704164645\",\"3\",4\r\n1704164645,NaN,1e999\n"))
	p := mustParser(f, payload.Options{Format: payload.FormatCSV, Columns: []string{"ts", "a", "b"}, MaxBytes: 4096})
	q := mustParser(f, payload.Options{Format: payload.FormatCSV, Columns: []string{"a", "b"}, TimestampColumn: -1, Separator: '\t'})
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := countLines(data)
		if got := checkParse(t, p, data); len(got) > lines {
			t.Fatalf("%d samples from %d lines", len(got), lines)
		}
		for _, s := range checkParse(t, q, data) {
			if !s.Timestamp.IsZero() {
				t.Fatalf("timestamp %v without a timestamp column", s.Timestamp)
			}
		}
	})
}

func FuzzParseNumber(f *testing.F) {
	f.Add([]byte(" 1.5e3\n"))
	p := mustParser(f, payload.Options{Format: payload.FormatNumber, MaxBytes: 256})
	f.Fuzz(func(t *testing.T, data []byte) {
		if got := checkParse(t, p, data); len(got) > 1 {
			t.Fatalf("%d samples from one number", len(got))
		}
	})
}

func FuzzParseInflux(f *testing.F) {
	f.Add([]byte("m,t=a f=1,g=2i,h=3u,s=\"x\",b=t 1704164645000000000\n# c\nm f=1\n"))
	p := mustParser(f, payload.Options{Format: payload.FormatInflux, MaxBytes: 4096})
	f.Fuzz(func(t *testing.T, data []byte) {
		got := checkParse(t, p, data)
		if lines := countLines(data); len(got) > lines {
			t.Fatalf("%d samples from %d lines", len(got), lines)
		}
		for _, s := range got {
			if s.Labels["measurement"] == "" || !strictlySorted(s.Fields) {
				t.Fatalf("sample %+v: want a measurement and sorted, unique fields", s)
			}
		}
	})
}

func FuzzParseSenML(f *testing.F) {
	f.Add([]byte(`[{"bn":"d:","bt":1.7e9,"bv":1,"n":"a","v":1},{"n":"b","t":-1,"v":2},{"n":"c","vs":"x"}]`))
	p := mustParser(f, payload.Options{Format: payload.FormatSenML, MaxBytes: 4096})
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[int64]bool{}
		for _, s := range checkParse(t, p, data) {
			if !strictlySorted(s.Fields) {
				t.Fatalf("fields %q not sorted and unique", s.Fields)
			}
			if ns := s.Timestamp.UnixNano(); seen[ns] && !s.Timestamp.IsZero() {
				t.Fatalf("two samples at %v", s.Timestamp)
			} else {
				seen[ns] = true
			}
		}
	})
}

func FuzzTemplate(f *testing.F) {
	f.Add("plant/+site/+device/#", "plant/a/b/c")
	f.Fuzz(func(t *testing.T, tpl, topic string) {
		tp, err := payload.ParseTemplate(tpl)
		if err != nil {
			return
		}
		again, err := payload.ParseTemplate(tp.Filter())
		if err != nil || again.Filter() != tp.Filter() {
			t.Fatalf("filter %q of %q does not parse back: %v", tp.Filter(), tpl, err)
		}
		labels := map[string]string{}
		ok := tp.Match(topic, labels)
		if ok != again.Match(topic, nil) {
			t.Fatalf("named and plain filters disagree on %q", topic)
		}
		if !ok && len(labels) > 0 || ok && len(labels) != len(tp.Names()) {
			t.Fatalf("match %v set labels %v for names %q", ok, labels, tp.Names())
		}
		for _, v := range labels {
			if strings.Contains(v, "/") {
				t.Fatalf("label value %q spans levels", v)
			}
		}
		if tp.Match(tp.Filter(), nil) {
			if strings.ContainsAny(tp.Filter(), "+#") {
				t.Fatalf("filter %q matched itself as a topic", tp.Filter())
			}
		}
	})
}

func countLines(b []byte) int { return strings.Count(string(b), "\n") + 1 }

func strictlySorted(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}
