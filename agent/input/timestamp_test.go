package input_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
)

func TestParseTimestamp(t *testing.T) {
	base := time.Date(2015, 2, 26, 21, 42, 53, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time // zero means the input must be rejected
	}{
		{"2015-02-26T21:42:53Z", base},
		{"2015-02-26T21:42:53.25Z", base.Add(250 * time.Millisecond)},
		{"2015-02-26T23:42:53+02:00", base},
		{"2015-02-26T20:42:53.5-01:00", base.Add(500 * time.Millisecond)},
		{"2015-02-26 21:42:53Z", base},
		{"2015-02-26 22:42:53+01:00", base},
		{"2015-02-26T21:42:53", base},
		{"2015-02-26 21:42:53", base},
		{"2015-02-26 21:42:53.000000", base},
		{"2015-02-26 21:42:53.123456", base.Add(123456 * time.Microsecond)},
		{" 2015-02-26 21:42:53 ", base},
		{"1424986973", base},
		{"1424986973.5", base.Add(500 * time.Millisecond)},
		{"1424986973000", base},
		{"1424986973250", base.Add(250 * time.Millisecond)},
		{"1424986973250.5", base.Add(250500 * time.Microsecond)},
		{"1.424986973e9", base},
		{"0", time.Unix(0, 0).UTC()},
		{"-1", time.Unix(-1, 0).UTC()},
		{"-0.5", time.Unix(0, -5e8).UTC()},
		{"1424986973.1234567891", base.Add(123456789)},
		{"2262-04-11T23:47:16Z", time.Date(2262, 4, 11, 23, 47, 16, 0, time.UTC)}, // last second alerts can carry
		{"2262-04-11T23:47:17Z", time.Time{}},                                     // past it: no Unix nanoseconds, no alert id
		{"1677-09-21T00:12:44Z", time.Date(1677, 9, 21, 0, 12, 44, 0, time.UTC)},  // first whole second
		{"1600-01-01T00:00:00Z", time.Time{}},
		{"9999-12-31T23:59:59Z", time.Time{}},
		{"9999-12-31T23:59:59-01:00", time.Time{}},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
		{"2015-02-26", time.Time{}},
		{"2015-02-26T25:42:53Z", time.Time{}},
		{"2015-02-26X21:42:53", time.Time{}},
		{"2015-02-26 21:42:53 UTC", time.Time{}},
		{"26/02/2015 21:42:53", time.Time{}},
		{"NaN", time.Time{}},
		{"Inf", time.Time{}},
		{"0x10", time.Time{}},
		{"1e400", time.Time{}},
		{"-1e12", time.Time{}},
		{"999999999999999999", time.Time{}},
		{"1.2.3", time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := input.ParseTimestamp(tc.in)
			if tc.want.IsZero() {
				if err == nil || !errors.Is(err, input.ErrBadTimestamp) {
					t.Errorf("ParseTimestamp(%q) = %v, %v; want ErrBadTimestamp", tc.in, got, err)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("ParseTimestamp(%q) = %v, %v; want %v in UTC", tc.in, got, err, tc.want)
			}
		})
	}
}
