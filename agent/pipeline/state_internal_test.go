package pipeline

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/pynomaly/pynomaly/agent/decision"
	"github.com/pynomaly/pynomaly/plugins/threshold"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

func newTestSeries(t *testing.T) *series {
	t.Helper()
	f, err := zscore.New(zscore.Options{Window: 32, MinSamples: 16})
	if err != nil {
		t.Fatal(err)
	}
	det, err := f.New(1)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := threshold.Parse("spot", map[string]string{"init": "10"})
	if err != nil {
		t.Fatal(err)
	}
	return &series{det: det, pol: pol}
}

// TestLeadingZerosNotFed: a detector's warm-up zeros do not reach the
// policy, so they cannot fill its calibration.
func TestLeadingZerosNotFed(t *testing.T) {
	s := newTestSeries(t)
	p := &Pipeline{}
	for range 50 {
		if p.judge(&field{}, s, 0) {
			t.Fatal("a zero score was flagged")
		}
	}
	if s.polFed {
		t.Fatal("policy fed with leading zeros")
	}
	b, err := encodeState(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, polErr := policyPart(t, b); len(polErr) != 0 {
		t.Fatalf("state holds %d bytes of policy before it was fed", len(polErr))
	}
	p.judge(&field{}, s, 0.5)
	p.judge(&field{}, s, 0)
	if !s.polFed {
		t.Fatal("policy not fed after the first non-zero score")
	}
}

// policyPart returns the detector and policy parts of a version 2 state.
func policyPart(t *testing.T, b []byte) (det, pol []byte) {
	t.Helper()
	if b[0] != stateVersion {
		t.Fatalf("version %d", b[0])
	}
	det, rest, err := cutPart(b[1:])
	if err != nil {
		t.Fatal(err)
	}
	pol, _, err = cutPart(rest)
	if err != nil {
		t.Fatal(err)
	}
	return det, pol
}

// TestReadStateV1: states written before threshold policies restore their
// detector and decision parts, with a fresh policy.
func TestReadStateV1(t *testing.T) {
	s := newTestSeries(t)
	for i := range 40 {
		if _, err := s.det.Score([]float64{float64(i % 5)}); err != nil {
			t.Fatal(err)
		}
	}
	s.dec.Step(true, decision.Options{})
	det, err := s.det.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := s.dec.MarshalBinary()
	v1 := binary.AppendUvarint([]byte{stateVersionV1}, uint64(len(det)))
	v1 = append(append(v1, det...), dec...)

	got := newTestSeries(t)
	if polErr, err := decodeState(v1, got); err != nil || polErr != nil {
		t.Fatalf("decodeState(v1) = %v, %v", polErr, err)
	}
	gotDet, _ := got.det.MarshalBinary()
	if !bytes.Equal(gotDet, det) || !got.dec.Firing() || got.polFed {
		t.Fatalf("v1 state restored detector %v, firing %v, policy fed %v", bytes.Equal(gotDet, det), got.dec.Firing(), got.polFed)
	}
}
