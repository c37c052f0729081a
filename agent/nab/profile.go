package nab

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// Profile is one of NAB's application profiles: the weights of a true
// positive, a false positive and a false negative (missed window). NAB also
// lists A_TN, which its scorer never uses, so it is left out here. The
// weights are positive magnitudes; the scorer applies the signs.
type Profile struct {
	Name   string
	TP, FP float64
	FN     float64
}

// NAB's three profiles (config/profiles.json of NAB v1.1).
var (
	Standard    = Profile{Name: "standard", TP: 1, FP: 0.11, FN: 1}
	RewardLowFP = Profile{Name: "reward_low_FP_rate", TP: 1, FP: 0.22, FN: 1}
	RewardLowFN = Profile{Name: "reward_low_FN_rate", TP: 1, FP: 0.11, FN: 2}
)

// Profiles returns NAB's three profiles in the order its scoreboard lists them.
func Profiles() []Profile { return []Profile{Standard, RewardLowFP, RewardLowFN} }

// ReadProfiles reads profiles in the format of NAB's config/profiles.json,
// sorted by name.
func ReadProfiles(path string) ([]Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read profiles: %w", err)
	}
	var doc map[string]struct {
		CostMatrix struct {
			TP float64 `json:"tpWeight"`
			FP float64 `json:"fpWeight"`
			FN float64 `json:"fnWeight"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("profiles %s: %w", path, err)
	}
	out := make([]Profile, 0, len(doc))
	for name, p := range doc {
		c := p.CostMatrix
		if !(c.TP > 0 && c.FP > 0 && c.FN > 0) {
			return nil, fmt.Errorf("profiles %s: %s: tpWeight, fpWeight and fnWeight must be positive", path, name)
		}
		out = append(out, Profile{Name: name, TP: c.TP, FP: c.FP, FN: c.FN})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
