package detectortest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// CheckUnmarshal restores data into d and fails tb unless d keeps the
// sdk.Detector contract for it: a rejection wraps sdk.ErrBadSnapshot and
// leaves d as it was, and an accepted snapshot marshals back to exactly
// data. The second half is what lets a fuzzer find a field that is read
// but not checked: such bytes come back different. It returns
// UnmarshalBinary's error, nil when d accepted data, so that callers can
// check the wording of a rejection or go on to score what was restored.
func CheckUnmarshal(tb testing.TB, d sdk.Detector, data []byte) error {
	tb.Helper()
	before := MustSnapshot(tb, d)
	err := d.UnmarshalBinary(data)
	if err != nil {
		if !errors.Is(err, sdk.ErrBadSnapshot) {
			tb.Fatalf("UnmarshalBinary error %v does not wrap sdk.ErrBadSnapshot", err)
		}
		if !bytes.Equal(MustSnapshot(tb, d), before) {
			tb.Fatalf("rejected snapshot changed the instance")
		}
		return err
	}
	if !bytes.Equal(MustSnapshot(tb, d), data) {
		tb.Fatalf("accepted snapshot does not marshal back to the same bytes")
	}
	return nil
}
