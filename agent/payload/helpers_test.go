package payload_test

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/payload"
)

// received is the receive time the tests pass to Parse.
var received = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// parseCase is one payload and what Parse must make of it: samples, and
// for bad input the reason, a part of the message and the skipped count.
type parseCase struct {
	name    string
	in      string
	want    []payload.Sample
	reason  string
	msg     string
	skipped int // 0 means 1 when reason is set
}

func runCases(t *testing.T, o payload.Options, cases []parseCase) {
	t.Helper()
	p, err := payload.NewParser(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []payload.Sample{{Fields: []string{"kept"}, Values: []float64{1}}}
			got, err := p.Parse([]byte(tc.in), received, slices.Clone(prefix))
			checkError(t, err, tc)
			if !reflect.DeepEqual(got[:1], prefix) {
				t.Fatalf("Parse changed dst's existing samples: %+v", got[:1])
			}
			if got := got[1:]; !reflect.DeepEqual(got, tc.want) && (len(got) != 0 || len(tc.want) != 0) {
				t.Errorf("samples:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func checkError(t *testing.T, err error, tc parseCase) {
	t.Helper()
	if tc.reason == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var pe *payload.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want *payload.Error with reason %s", err, err, tc.reason)
	}
	if pe.Reason != tc.reason || !strings.Contains(pe.Error(), tc.msg) {
		t.Errorf("error %s %q, want %s containing %q", pe.Reason, pe.Error(), tc.reason, tc.msg)
	}
	if want := max(tc.skipped, 1); pe.Skipped != want {
		t.Errorf("Skipped = %d, want %d", pe.Skipped, want)
	}
}

func sample(fields []string, values ...float64) payload.Sample {
	return payload.Sample{Fields: fields, Values: values}
}

func at(s payload.Sample, ts time.Time) payload.Sample {
	s.Timestamp = ts
	return s
}

func labeled(s payload.Sample, kv ...string) payload.Sample {
	s.Labels = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Labels[kv[i]] = kv[i+1]
	}
	return s
}

func unix(sec float64) time.Time {
	whole := math.Floor(sec)
	return time.Unix(int64(whole), int64(math.Round((sec-whole)*1e9))).UTC()
}

// knownReasons are the Reason values an *Error may carry.
var knownReasons = []string{input.ReasonMalformed, input.ReasonNonNumeric, input.ReasonMissingValue,
	input.ReasonNotFinite, input.ReasonBadTimestamp, input.ReasonOversize}

// checkParse asserts what must hold for any payload: no panic, samples
// with aligned, finite values, and errors that are *Error with a known
// reason. It returns the samples for target-specific checks.
func checkParse(t *testing.T, p *payload.Parser, data []byte) []payload.Sample {
	t.Helper()
	got, err := p.Parse(data, received, nil)
	for i, s := range got {
		if len(s.Fields) != len(s.Values) || len(s.Values) == 0 {
			t.Fatalf("sample %d: %d fields, %d values", i, len(s.Fields), len(s.Values))
		}
		for j, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("sample %d: value %d (%s) is %v", i, j, s.Fields[j], v)
			}
		}
		if !s.Timestamp.IsZero() && s.Timestamp.Location() != time.UTC {
			t.Fatalf("sample %d: timestamp %v not in UTC", i, s.Timestamp)
		}
	}
	if err == nil {
		if len(got) == 0 {
			t.Fatalf("no samples and no error")
		}
		return got
	}
	var pe *payload.Error
	if !errors.As(err, &pe) || !slices.Contains(knownReasons, pe.Reason) || pe.Skipped < 1 || pe.Err == nil {
		t.Fatalf("error %#v is not an *Error with a known reason", err)
	}
	return got
}

func mustParser(tb testing.TB, o payload.Options) *payload.Parser {
	tb.Helper()
	p, err := payload.NewParser(o)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
