package payload_test

import (
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/payload"
)

func TestParseSenML(t *testing.T) {
	dev := "urn:dev:ow:10e2073a01080063:"
	t0 := unix(1.320067464e9)
	runCases(t, payload.Options{Format: payload.FormatSenML}, []parseCase{
		{name: "RFC example: one record", in: `[{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}]`,
			want: []payload.Sample{sample([]string{"urn:dev:ow:10e2073a01080063"}, 23.1)}},
		{name: "base name and time, grouped by time", in: `[{"bn":"` + dev + `","bt":1.320067464e+09,"bu":"%RH","v":20},
			{"u":"lon","v":24.30621},{"u":"lat","v":60.07965},{"t":60,"v":20.3},{"n":"x","t":60,"v":1}]`,
			reason: input.ReasonMalformed, msg: `record 2: name "urn:dev:ow:10e2073a01080063:" repeated at the same time`, skipped: 2,
			want: []payload.Sample{at(sample([]string{dev}, 20), t0), at(sample([]string{dev, dev + "x"}, 20.3, 1), t0.Add(time.Minute))}},
		{name: "fields sorted, base value added", in: `[{"bn":"d/","bv":100,"bt":1.320067464e9,"n":"b","v":1},{"n":"a","v":-1},{"n":"c","t":0.5,"v":0}]`,
			want: []payload.Sample{at(sample([]string{"d/a", "d/b"}, 99, 101), t0), at(sample([]string{"d/c"}, 100), t0.Add(500*time.Millisecond))}},
		{name: "string, boolean, data and sum records are skipped", in: `[{"n":"s","vs":"on"},{"n":"b","vb":true},{"n":"d","vd":"AA"},{"n":"sum","s":5},{"n":"v","v":5}]`,
			want: []payload.Sample{sample([]string{"v"}, 5)}},
		{name: "unknown fields ignored, bver 10", in: `[{"bver":10,"n":"a","v":1,"foo":{"x":1},"ut":5}]`,
			want: []payload.Sample{sample([]string{"a"}, 1)}},

		{name: "not JSON", in: `[{"n":"a","v":1}`, reason: input.ReasonMalformed, msg: "invalid JSON"},
		{name: "object, not array", in: `{"n":"a","v":1}`, reason: input.ReasonMalformed, msg: "SenML wants an array of record objects, found JSON object"},
		{name: "array of numbers", in: `[1,2]`, reason: input.ReasonMalformed, msg: "found JSON number"},
		{name: "empty pack", in: `[]`, reason: input.ReasonMissingValue, msg: "no records"},
		{name: "null record", in: `[null]`, reason: input.ReasonMalformed, msg: "record 1: null is not a record"},
		{name: "must-understand field", in: `[{"n":"a","v":1},{"n":"b","v":2,"x_":1}]`, reason: input.ReasonMalformed, msg: `record 2: field "x_" must be understood`},
		{name: "newer version", in: `[{"bver":11,"n":"a","v":1}]`, reason: input.ReasonMalformed, msg: `record 1: bver: version "11" is not supported`},
		{name: "bn not a string", in: `[{"bn":5,"n":"a","v":1}]`, reason: input.ReasonMalformed, msg: "record 1: bn is a number, not a string"},
		{name: "bt not a number", in: `[{"bt":"now","n":"a","v":1}]`, reason: input.ReasonBadTimestamp, msg: `record 1: bt: string "now" is not a number`},
		{name: "bv null", in: `[{"bv":null,"n":"a","v":1}]`, reason: input.ReasonMissingValue, msg: "record 1: bv: null"},
		{name: "no name", in: `[{"v":1}]`, reason: input.ReasonMalformed, msg: `record 1: name "": want a letter or digit`},
		{name: "bad name", in: `[{"n":"a b","v":1}]`, reason: input.ReasonMalformed, msg: `name "a b"`},
		{name: "n not a string", in: `[{"n":1,"v":1}]`, reason: input.ReasonMalformed, msg: "record 1: n is a number, not a string"},
		{name: "no value", in: `[{"n":"a","u":"Cel"}]`, reason: input.ReasonMissingValue, msg: `record 1: "a" has no value`},
		{name: "v as string", in: `[{"n":"a","v":"1"}]`, reason: input.ReasonNonNumeric, msg: `record 1: "a": v: string "1" is not a number`},
		{name: "v null", in: `[{"n":"a","v":null}]`, reason: input.ReasonMissingValue, msg: `"a": v: null`},
		{name: "v overflow", in: `[{"n":"a","v":1e400}]`, reason: input.ReasonNotFinite, msg: `"1e400" is not finite`},
		{name: "bv+v overflow", in: `[{"bv":1.7e308,"n":"a","v":1.7e308}]`, reason: input.ReasonNotFinite, msg: `"bv+v" is not finite`},
		{name: "t not a number", in: `[{"n":"a","v":1,"t":"x"}]`, reason: input.ReasonBadTimestamp, msg: `record 1: t: string "x" is not a number`},
		{name: "time past 2262", in: `[{"n":"a","v":1,"t":1e10}]`, reason: input.ReasonBadTimestamp, msg: "time 1e+10 s is outside"},
		{name: "only strings", in: `[{"n":"a","vs":"x"}]`, reason: input.ReasonNonNumeric, msg: `no record has a numeric value "v"`},
		{name: "one bad record of three", in: `[{"n":"a","v":1},{"n":"b","v":"x"},{"n":"c","v":3}]`,
			want:   []payload.Sample{sample([]string{"a", "c"}, 1, 3)},
			reason: input.ReasonNonNumeric, msg: `record 2: "b": v`},
	})
}

func TestParseSenMLRelative(t *testing.T) {
	p := mustParser(t, payload.Options{Format: payload.FormatSenML})
	got, err := p.Parse([]byte(`[{"n":"a","v":1},{"n":"a","t":-5,"v":2},{"bt":-10,"n":"b","t":5,"v":3}]`), received, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []payload.Sample{sample([]string{"a"}, 1), at(sample([]string{"a", "b"}, 2, 3), received.Add(-5*time.Second))}
	if len(got) != 2 || !got[1].Timestamp.Equal(want[1].Timestamp) || !got[0].Timestamp.IsZero() ||
		len(got[1].Values) != 2 || got[1].Fields[1] != "b" {
		t.Errorf("got %+v, want %+v", got, want)
	}
	_, err = p.Parse([]byte(`[{"n":"a","t":-5,"v":2}]`), time.Time{}, nil)
	checkError(t, err, parseCase{reason: input.ReasonBadTimestamp, msg: "relative time -5 s needs a receive time"})
}
