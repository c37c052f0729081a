package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/protocol"
)

// inputPlan is how one input runs under one configuration: what it reads,
// the detector and decision its series get, and the model they start from.
type inputPlan struct {
	in       config.Input
	detector config.Detector
	decision config.Decision
	src      detectorSource
	// model is the detector state every new series starts from (an
	// assigned model's bytes); nil to learn from nothing.
	model    []byte
	modelRef *protocol.ModelAssignment
	// fingerprint identifies what series state depends on: detector,
	// model and the shape of samples. A series state saved under another
	// fingerprint is not restored (see resetStates).
	fingerprint string
}

// sameSource reports whether p and q read the same data the same way, so
// that a running input can switch from p to q in place, without
// reconnecting or reopening anything.
func (p inputPlan) sameSource(q inputPlan) bool {
	return reflect.DeepEqual(p.in.File, q.in.File) && reflect.DeepEqual(p.in.MQTT, q.in.MQTT)
}

// equal reports whether p and q run identically.
func (p inputPlan) equal(q inputPlan) bool {
	return reflect.DeepEqual(p.in, q.in) && reflect.DeepEqual(p.decision, q.decision) && p.fingerprint == q.fingerprint
}

// generation is one configuration in effect: the inputs' plans and the
// built-in detectors they use, for the health report.
type generation struct {
	cfg      *config.Config
	plans    []inputPlan
	builtins []string
}

// buildGeneration resolves cfg's detectors and checks the models against
// them. models holds each assigned model's bytes by input name. It runs
// no plugin: a plugin is resolved to its supervisor entry, which launches
// it when an input first needs it.
func (a *Agent) buildGeneration(cfg *config.Config, assigned []protocol.ModelAssignment, models map[string][]byte) (*generation, error) {
	g := &generation{cfg: cfg}
	refs := make(map[string]protocol.ModelAssignment, len(assigned))
	for _, m := range assigned {
		if !slices.ContainsFunc(cfg.Inputs, func(in config.Input) bool { return in.Name == m.Input }) {
			return nil, fmt.Errorf("model %s: input %s is not in the pipeline", protocol.ModelObject(m.Name, m.Version), m.Input)
		}
		refs[m.Input] = m
	}
	for _, in := range cfg.Inputs {
		det := cfg.InputDetector(in)
		p := inputPlan{in: in, detector: det, decision: cfg.Decision}
		if pl, ok := cfg.Plugin(det.Type); ok {
			p.src = a.plugins.add(pl)
		} else {
			f, err := detectors.BuildSpec(det.Spec())
			if err != nil {
				return nil, fmt.Errorf("input %s: %w", in.Name, err)
			}
			p.src = builtinSource{f}
			if !slices.Contains(g.builtins, det.Type) {
				g.builtins = append(g.builtins, det.Type)
			}
		}
		if ref, ok := refs[in.Name]; ok {
			p.model, p.modelRef = models[in.Name], &ref
			if err := checkModel(p); err != nil {
				return nil, fmt.Errorf("input %s: model %s: %w", in.Name, protocol.ModelObject(ref.Name, ref.Version), err)
			}
		}
		p.fingerprint = stateFingerprint(p)
		g.plans = append(g.plans, p)
	}
	return g, nil
}

// checkModel proves that p's model restores into p's detector, so that a
// model made for another detector is refused before it is applied rather
// than at each series. Plugins are not started for it: their series check
// it as they start (see pipeline.Options.Model).
func checkModel(p inputPlan) error {
	b, ok := p.src.(builtinSource)
	if !ok {
		return nil
	}
	dim := 1
	if p.in.Multivariate {
		if p.in.File == nil || len(p.in.File.Columns) == 0 {
			return nil // the fields, so the dimension, are known only from the data
		}
		dim = len(p.in.File.Columns)
	}
	d, err := streamable(b.f).New(dim)
	if err != nil {
		return err
	}
	if err := d.UnmarshalBinary(p.model); err != nil {
		return fmt.Errorf("does not fit detector %s: %w", p.detector.Type, err)
	}
	return nil
}

// stateFingerprint hashes what makes an input's series state valid: a detector
// with other parameters, or a model, starts every series anew.
func stateFingerprint(p inputPlan) string {
	var model string
	if p.modelRef != nil {
		model = p.modelRef.SHA256
	}
	b, _ := json.Marshal(struct { // cannot fail: strings and maps of them
		D            detectors.Spec
		Multivariate bool
		Model        string
	}{p.detector.Spec(), p.in.Multivariate, model})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
