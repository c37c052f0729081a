package harness

import (
	"path"
	"slices"

	"github.com/pynomaly/pynomaly/agent/nab"
)

// SplitA returns the first half of NAB's seven data folders for the split
// check, 63 of its 116 windows; the other folders (realTweets, realTraffic,
// artificialWithAnomaly: 53 windows) are the second half. A change tuned
// on one half should raise the other's score too, or it fits NAB's files
// rather than anomalies.
func SplitA() []string {
	return []string{"artificialNoAnomaly", "realAWSCloudwatch", "realAdExchange", "realKnownCause"}
}

// Half is one half of the corpus scored on its own: each profile at the
// threshold the labels choose for that half alone, normalised by its own
// windows.
type Half struct {
	Name    string // "A" (the folders of SplitA) or "B" (the rest)
	Files   int
	Windows int
	// Optimised is in nab.Profiles() order.
	Optimised []nab.Outcome
}

// split scores each half of the corpus that has a window; fl and scores
// are in corpus order.
func split(fl []nab.FileLabels, scores [][]float64) ([]Half, error) {
	a := SplitA()
	var halves []Half
	for _, h := range []struct {
		name string
		in   bool
	}{{"A", true}, {"B", false}} {
		var sub []nab.FileLabels
		var subScores [][]float64
		for i, f := range fl {
			if slices.Contains(a, path.Dir(f.Name)) == h.in {
				sub, subScores = append(sub, f), append(subScores, scores[i])
			}
		}
		half, err := scoreHalf(h.name, sub, subScores)
		if err != nil {
			return nil, err
		}
		if half.Windows > 0 {
			halves = append(halves, half)
		}
	}
	return halves, nil
}

func scoreHalf(name string, fl []nab.FileLabels, scores [][]float64) (Half, error) {
	c, err := nab.NewCorpus(fl)
	if err != nil {
		return Half{}, err
	}
	h := Half{Name: name, Files: len(fl), Windows: c.Windows()}
	if h.Windows == 0 {
		return h, nil
	}
	for _, p := range nab.Profiles() {
		o, err := c.Optimise(p, scores)
		if err != nil {
			return Half{}, err
		}
		h.Optimised = append(h.Optimised, o)
	}
	return h, nil
}
