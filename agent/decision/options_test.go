package decision_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/agent/decision"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    decision.Options
		want    decision.Options
		wantErr string
	}{
		{name: "defaults", want: decision.Options{Threshold: 0.999, Consecutive: 1, ClearAfter: 10}},
		{name: "explicit", opts: decision.Options{Threshold: 0.9, Consecutive: 3, ClearAfter: 1}, want: decision.Options{Threshold: 0.9, Consecutive: 3, ClearAfter: 1}},
		{name: "threshold 1", opts: decision.Options{Threshold: 1}, want: decision.Options{Threshold: 1, Consecutive: 1, ClearAfter: 10}},
		{name: "threshold tiny", opts: decision.Options{Threshold: 1e-9}, want: decision.Options{Threshold: 1e-9, Consecutive: 1, ClearAfter: 10}},
		{name: "threshold negative", opts: decision.Options{Threshold: -0.5}, wantErr: "threshold -0.5 out of range: must be in (0, 1]"},
		{name: "threshold above 1", opts: decision.Options{Threshold: 1.5}, wantErr: "threshold 1.5 out of range: must be in (0, 1]"},
		{name: "threshold NaN", opts: decision.Options{Threshold: math.NaN()}, wantErr: "threshold NaN out of range: must be in (0, 1]"},
		{name: "threshold +Inf", opts: decision.Options{Threshold: math.Inf(1)}, wantErr: "threshold +Inf out of range: must be in (0, 1]"},
		{name: "consecutive negative", opts: decision.Options{Consecutive: -1}, wantErr: "consecutive -1 out of range: must be >= 1"},
		{name: "clear_after negative", opts: decision.Options{ClearAfter: -2}, wantErr: "clear_after -2 out of range: must be >= 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			err := o.Validate()
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Validate(%+v) error = %v, want %q", tc.opts, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate(%+v): %v", tc.opts, err)
			}
			if o != tc.want {
				t.Errorf("after Validate: %+v, want %+v", o, tc.want)
			}
		})
	}
}
