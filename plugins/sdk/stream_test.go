package sdk_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

// meanState is a MustStream test detector over up to 4 features: the
// score is how far x lies from the running mean, 1-exp(-d²), and the value
// 13 in the first feature makes Step return NaN.
type meanState struct {
	N    uint64
	Mean [4]float64
}

func meanStep(s *meanState, x []float64) float64 {
	if x[0] == 13 {
		return math.NaN()
	}
	var d2 float64
	for i, v := range x {
		if s.N > 0 {
			d2 += (v - s.Mean[i]) * (v - s.Mean[i])
		}
		s.Mean[i] += (v - s.Mean[i]) / float64(s.N+1)
	}
	s.N++
	return 1 - math.Exp(-d2)
}

func (s *meanState) Valid() error {
	if !sdk.Finite(s.Mean[:]...) {
		return errors.New("mean not finite")
	}
	return nil
}

var meanFactory = sdk.MustStream(sdk.Info{Name: "mean", Version: "1", MaxDim: 4}, meanStep)

func TestMustStreamConformance(t *testing.T) {
	sdktest.Run(t, meanFactory, sdktest.Options{})
}

func TestMustStream(t *testing.T) {
	if k := meanFactory.Info().Kind; k != sdk.Streaming {
		t.Errorf("Kind = %v, want streaming", k)
	}
	for _, dim := range []int{0, 5} {
		if _, err := meanFactory.New(dim); !errors.Is(err, sdk.ErrInvalidInput) {
			t.Errorf("New(%d) = %v, want ErrInvalidInput", dim, err)
		}
	}
	d, err := meanFactory.New(2)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float64{{1, 2}, {3, 4}} {
		if _, err := d.Score(x); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := d.MarshalBinary()
	if _, err := d.Score([]float64{13, 0}); err == nil || !strings.Contains(err.Error(), "mean scored NaN, outside [0, 1]") {
		t.Errorf("Score of a point Step scores NaN = %v, want an error saying so", err)
	}
	if after, _ := d.MarshalBinary(); string(after) != string(before) {
		t.Error("a score outside [0, 1] changed the state")
	}
	// A NaN mean planted in a snapshot is refused by Valid.
	bad := append([]byte(nil), before...)
	copy(bad[len(bad)-32:], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	if err := d.UnmarshalBinary(bad); !errors.Is(err, sdk.ErrBadSnapshot) || !strings.Contains(err.Error(), "mean not finite") {
		t.Errorf("UnmarshalBinary(NaN mean) = %v, want ErrBadSnapshot from Valid", err)
	}
	other := sdk.MustStream(sdk.Info{Name: "mean", Version: "2", MaxDim: 4}, meanStep)
	od, _ := other.New(2)
	if err := od.UnmarshalBinary(before); !errors.Is(err, sdk.ErrBadSnapshot) {
		t.Errorf("version 2 restoring a version 1 snapshot = %v, want ErrBadSnapshot", err)
	}
}

func TestMustStreamPanicsOnUnsizedState(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "no fixed size") {
			t.Errorf("recover() = %v, want a panic naming the state", r)
		}
	}()
	sdk.MustStream(sdk.Info{Name: "bad"}, func(s *[]float64, x []float64) float64 { return 0 })
}
