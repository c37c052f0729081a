package payload_test

import (
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/payload"
)

func TestParseInflux(t *testing.T) {
	ts := time.Unix(1704164645, 123456789).UTC()
	pump := func(fields []string, v ...float64) payload.Sample {
		return labeled(sample(fields, v...), "measurement", "pump", "site", "a")
	}
	runCases(t, payload.Options{Format: payload.FormatInflux}, []parseCase{
		{name: "fields sorted, ns timestamp", in: "pump,site=a temp=21.5,rpm=1500i 1704164645123456789",
			want: []payload.Sample{at(pump([]string{"rpm", "temp"}, 1500, 21.5), ts)}},
		{name: "no tags, no timestamp, unsigned", in: "cpu usage=3u",
			want: []payload.Sample{labeled(sample([]string{"usage"}, 3), "measurement", "cpu")}},
		{name: "strings and booleans skipped", in: `pump,site=a status="ok, running",on=true,temp=1,off=F,note="say \"hi\"" 1704164645123456789`,
			want: []payload.Sample{at(pump([]string{"temp"}, 1), ts)}},
		{name: "escapes", in: `my\ pump,site\,x=a\=b\ c tem\ p=1,x\=y=2`,
			want: []payload.Sample{labeled(sample([]string{"tem p", "x=y"}, 1, 2), "measurement", "my pump", "site,x", "a=b c")}},
		{name: "comments, blank lines, CRLF, several lines", in: "# header\r\n\r\npump,site=a temp=1\r\n  pump,site=a temp=2 1704164645123456789  \n",
			want: []payload.Sample{pump([]string{"temp"}, 1), at(pump([]string{"temp"}, 2), ts)}},
		{name: "negative integer, exponent", in: "m a=-5i,b=-1.5E+2",
			want: []payload.Sample{labeled(sample([]string{"a", "b"}, -5, -150), "measurement", "m")}},

		{name: "only comments", in: "# nothing\n#", reason: input.ReasonMissingValue, msg: "only comments"},
		{name: "no fields", in: "pump,site=a", reason: input.ReasonMalformed, msg: "line 1: no fields"},
		{name: "no fields after space", in: "pump ", reason: input.ReasonMalformed, msg: "line 1: no fields"},
		{name: "missing measurement", in: ",site=a temp=1", reason: input.ReasonMalformed, msg: "line 1: missing measurement"},
		{name: "tag without value", in: "pump,site temp=1", reason: input.ReasonMalformed, msg: `line 1: tag "site" has no '='`},
		{name: "tag with empty value", in: "pump,site= temp=1", reason: input.ReasonMalformed, msg: `tag "site=" needs a key and a value`},
		{name: "repeated tag", in: "pump,a=1,a=2 temp=1", reason: input.ReasonMalformed, msg: `tag "a" repeated`},
		{name: "measurement tag", in: "pump,measurement=x temp=1", reason: input.ReasonMalformed, msg: "clashes with the measurement label"},
		{name: "field without value", in: "pump temp", reason: input.ReasonMalformed, msg: `field "temp" has no '='`},
		{name: "field with empty value", in: "pump temp=,rpm=1", reason: input.ReasonMalformed, msg: `field "temp=" needs a key and a value`},
		{name: "repeated field", in: "pump temp=1,temp=2", reason: input.ReasonMalformed, msg: `field "temp" repeated`},
		{name: "unterminated string", in: `pump s="abc\",temp=1`, reason: input.ReasonMalformed, msg: `field "s": unterminated string`},
		{name: "text after string", in: `pump s="a"b,temp=1`, reason: input.ReasonMalformed, msg: `field "s": unexpected "b,temp=1" after the value`},
		{name: "only string fields", in: `pump s="a",b=true`, reason: input.ReasonNonNumeric, msg: "line 1: no numeric field"},
		{name: "bare word", in: "pump temp=warm", reason: input.ReasonNonNumeric, msg: `field "temp": "warm" is not a number`},
		{name: "float with i", in: "pump temp=1.5i", reason: input.ReasonNonNumeric, msg: `"1.5i" is not a number`},
		{name: "negative unsigned", in: "pump temp=-1u", reason: input.ReasonNonNumeric, msg: `"-1u" is not a number`},
		{name: "integer overflow", in: "pump temp=9223372036854775808i", reason: input.ReasonNotFinite, msg: "overflows 64 bits"},
		{name: "NaN", in: "pump temp=NaN", reason: input.ReasonNotFinite, msg: `"NaN" is not finite`},
		{name: "float overflow", in: "pump temp=1e309", reason: input.ReasonNotFinite, msg: `"1e309" is not finite`},
		{name: "bad timestamp", in: "pump temp=1 yesterday", reason: input.ReasonBadTimestamp, msg: `timestamp "yesterday" is not an integer`},
		{name: "float timestamp", in: "pump temp=1 1.5", reason: input.ReasonBadTimestamp, msg: "is not an integer"},
		{name: "timestamp overflow", in: "pump temp=1 99999999999999999999", reason: input.ReasonBadTimestamp, msg: "outside 1677-09-21..2262-04-11"},
		{name: "text after timestamp", in: "pump temp=1 1 2", reason: input.ReasonMalformed, msg: `unexpected "1 2" after the timestamp`},
		{name: "one bad line of three", in: "pump,site=a temp=1\npump,site=a temp=x\npump,site=a temp=2 1704164645123456789",
			want:   []payload.Sample{pump([]string{"temp"}, 1), at(pump([]string{"temp"}, 2), ts)},
			reason: input.ReasonNonNumeric, msg: `line 2: field "temp"`},
	})
}

func TestParseInfluxPrecision(t *testing.T) {
	m := func(ts time.Time) []payload.Sample {
		return []payload.Sample{at(labeled(sample([]string{"v"}, 1), "measurement", "m"), ts)}
	}
	runCases(t, payload.Options{Format: payload.FormatInflux, TimestampPrecision: "s"}, []parseCase{
		{name: "seconds", in: "m v=1 1704164645", want: m(time.Unix(1704164645, 0).UTC())},
		{name: "negative seconds", in: "m v=1 -86400", want: m(time.Unix(-86400, 0).UTC())},
		{name: "seconds past 2262", in: "m v=1 9300000000", reason: input.ReasonBadTimestamp, msg: "outside"},
	})
	runCases(t, payload.Options{Format: payload.FormatInflux, TimestampPrecision: "ms"}, []parseCase{
		{name: "milliseconds", in: "m v=1 1704164645123", want: m(time.UnixMilli(1704164645123).UTC())},
	})
	runCases(t, payload.Options{Format: payload.FormatInflux, TimestampPrecision: "us"}, []parseCase{
		{name: "microseconds", in: "m v=1 1704164645123456", want: m(time.UnixMicro(1704164645123456).UTC())},
	})
}
