package threshold

import (
	"fmt"
	"math"
)

// fixed flags every score at or above a constant.
type fixed struct{ t float64 }

// NewFixed returns a policy that flags scores of at least t, which must be
// in (0, 1]. It learns nothing. At or above, unlike the learned policies,
// because a configured cut-off reads "a score of 0.999 is an anomaly": the
// agent's decision.threshold has always meant that.
func NewFixed(t float64) (Policy, error) {
	if !(t > 0 && t <= 1) {
		return nil, fmt.Errorf("threshold %v out of range: must be in (0, 1]", t)
	}
	return &fixed{t: t}, nil
}

func (f *fixed) Observe(score float64) (bool, error) {
	if err := checkScore(score); err != nil {
		return false, err
	}
	return score >= f.t, nil
}

func (f *fixed) Threshold() float64 { return f.t }

// Fixed snapshot layout, version 1:
//
//	offset  size  field
//	0       3     magic "PTF"
//	3       1     version, 1
//	4       8     threshold  float64 bits, must equal the policy's
//
// A fixed policy has no state; the snapshot exists so every policy can be
// stored the same way, and a mix-up of policies is caught.
const fixedMagic = "PTF"

func (f *fixed) MarshalBinary() ([]byte, error) {
	b := append([]byte(fixedMagic), snapshotVersion)
	return appendF64(b, f.t), nil
}

func (f *fixed) UnmarshalBinary(data []byte) error {
	r, err := header("fixed", fixedMagic, data)
	if err != nil {
		return err
	}
	t := r.f64()
	switch {
	case r.short || len(r.b) != 0:
		return badSnapshot("fixed", "%d bytes, want 12", len(data))
	case math.Float64bits(t) != math.Float64bits(f.t):
		return badSnapshot("fixed", "threshold %v, policy has %v", t, f.t)
	}
	return nil
}
