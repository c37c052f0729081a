package payload_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/payload"
)

func TestParseJSON(t *testing.T) {
	opts := payload.Options{Format: payload.FormatJSON, TimestampPath: "meta.time", Fields: []payload.Field{
		{Path: "sensors.temp"}, {Name: "rpm", Path: "motor.speed"}, {Name: "load"}}}
	fields := []string{"sensors.temp", "rpm", "load"}
	ts := time.Date(2024, 1, 2, 3, 4, 5, 500e6, time.UTC)
	good := func(v ...float64) []payload.Sample { return []payload.Sample{at(sample(fields, v...), ts)} }
	runCases(t, opts, []parseCase{
		{name: "nested", in: `{"meta":{"time":"2024-01-02T03:04:05.5Z"},"sensors":{"temp":21.5},"motor":{"speed":1500},"load":0.25}`,
			want: good(21.5, 1500, 0.25)},
		{name: "epoch ms, other keys, spaces", in: " {\"load\": -1e2, \"x\": [1,{}], \"meta\": {\"time\": 1704164645500, \"tz\": \"UTC\"},\n\"sensors\": {\"temp\": 0, \"hum\": null}, \"motor\": {\"speed\": 3}}\n",
			want: good(0, 3, -100)},
		{name: "epoch seconds with zone offset string", in: `{"meta":{"time":"2024-01-02T04:04:05.5+01:00"},"sensors":{"temp":1},"motor":{"speed":2},"load":3}`,
			want: good(1, 2, 3)},
		{name: "escaped keys and strings with braces", in: `{"lo\u0061d":4,"x":"}{\"]","meta":{"time":1704164645.5,"s":"\\"},"sensors":{"temp":1},"motor":{"speed":2}}`,
			want: good(1, 2, 4)},
		{name: "deep values skipped", in: `{"a":[[[{"b":[]}]]],"load":5,"meta":{"time":1704164645.5},"sensors":{"x":{"y":{}},"temp":1},"motor":{"speed":2}}`,
			want: good(1, 2, 5)},
		{name: "duplicate key takes the last", in: `{"load":1,"load":2,"meta":{"time":1704164645.5},"sensors":{"temp":1},"motor":{"speed":2}}`,
			want: good(1, 2, 2)},

		{name: "invalid JSON", in: `{"load":1`, reason: input.ReasonMalformed, msg: "invalid JSON"},
		{name: "trailing garbage", in: `{"load":1} x`, reason: input.ReasonMalformed, msg: "invalid JSON"},
		{name: "array", in: `[1,2]`, reason: input.ReasonMalformed, msg: "JSON array is not an object"},
		{name: "number", in: `42`, reason: input.ReasonMalformed, msg: "JSON number is not an object"},
		{name: "null", in: `null`, reason: input.ReasonMalformed, msg: "JSON null is not an object"},
		{name: "empty", in: " \n", reason: input.ReasonMissingValue, msg: "empty payload"},
		{name: "missing timestamp object", in: `{"sensors":{"temp":1},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonBadTimestamp, msg: `key "meta.time": "meta" is missing`},
		{name: "bad timestamp", in: `{"meta":{"time":"yesterday"},"sensors":{"temp":1},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonBadTimestamp, msg: `key "meta.time": bad timestamp "yesterday"`},
		{name: "timestamp is an object", in: `{"meta":{"time":{}},"sensors":{"temp":1},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonBadTimestamp, msg: `key "meta.time": an object is not a timestamp`},
		{name: "timestamp null", in: `{"meta":{"time":null},"sensors":{"temp":1},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonBadTimestamp, msg: `key "meta.time": missing`},
		{name: "timestamp past 2262", in: `{"meta":{"time":"2300-01-01T00:00:00Z"},"sensors":{"temp":1},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonBadTimestamp, msg: "outside 1677-09-21..2262-04-11"},
		{name: "path through a number", in: `{"meta":{"time":1},"sensors":5,"motor":{"speed":2},"load":3}`,
			reason: input.ReasonMissingValue, msg: `key "sensors.temp": "sensors" is a number, not an object`},
		{name: "path through an array", in: `{"meta":{"time":1},"sensors":[{"temp":1}],"motor":{"speed":2},"load":3}`,
			reason: input.ReasonMissingValue, msg: `"sensors" is an array, not an object`},
		{name: "path through null", in: `{"meta":{"time":1},"sensors":null,"motor":{"speed":2},"load":3}`,
			reason: input.ReasonMissingValue, msg: `"sensors" is null, not an object`},
		{name: "missing key", in: `{"meta":{"time":1},"sensors":{"temp":1},"motor":{"speed":2}}`,
			reason: input.ReasonMissingValue, msg: `key "load": missing`},
		{name: "missing nested key", in: `{"meta":{"time":1},"sensors":{},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonMissingValue, msg: `key "sensors.temp": missing`},
		{name: "null value", in: `{"meta":{"time":1},"sensors":{"temp":null},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonMissingValue, msg: `key "sensors.temp": null`},
		{name: "numeric string", in: `{"meta":{"time":1},"sensors":{"temp":"21.5"},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonNonNumeric, msg: `key "sensors.temp": string "21.5" is not a number`},
		{name: "boolean", in: `{"meta":{"time":1},"sensors":{"temp":true},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonNonNumeric, msg: `key "sensors.temp": a boolean is not a number`},
		{name: "object value", in: `{"meta":{"time":1},"sensors":{"temp":1},"motor":{"speed":{"v":2}},"load":3}`,
			reason: input.ReasonNonNumeric, msg: `key "motor.speed": an object is not a number`},
		{name: "overflow", in: `{"meta":{"time":1},"sensors":{"temp":1},"motor":{"speed":2},"load":1e999}`,
			reason: input.ReasonNotFinite, msg: `key "load": "1e999" is not finite`},
		{name: "long string is shortened", in: `{"meta":{"time":1},"sensors":{"temp":"` + strings.Repeat("x", 500) + `"},"motor":{"speed":2},"load":3}`,
			reason: input.ReasonNonNumeric, msg: `xxx"... is not a number`},
	})
}

func TestParseJSONWithoutTimestamp(t *testing.T) {
	runCases(t, payload.Options{Format: payload.FormatJSON, Fields: []payload.Field{{Path: "v"}}}, []parseCase{
		{name: "flat", in: `{"v":1.5,"ts":"ignored"}`, want: []payload.Sample{sample([]string{"v"}, 1.5)}},
		{name: "negative zero", in: `{"v":-0}`, want: []payload.Sample{sample([]string{"v"}, 0)}},
		{name: "string", in: `"1.5"`, reason: input.ReasonMalformed, msg: "JSON string is not an object"},
	})
}
