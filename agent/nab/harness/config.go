package harness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

// baseConfig is an agent configuration the harness validates a pipeline
// document against: only its detector and decision sections are used; the
// rest is there because a valid configuration must have it.
const baseConfig = `
agent: {id: nab}
control_plane: {url: "nats://127.0.0.1:4222"}
inputs: [{name: nab, file: {path: /nab.csv}}]
`

// Pipeline is how the harness scores: the agent's detector and decision
// sections.
type Pipeline struct {
	Detector config.Detector
	Decision config.Decision
}

// DefaultDetector is the detector scored when none is given: the one
// built for detection quality on streams like NAB's.
const DefaultDetector = surprise.Name

// DefaultPipeline is DefaultDetector with its defaults, under the agent's
// default decision at the detector's own alert threshold.
func DefaultPipeline() Pipeline {
	p, err := PipelineFor(DefaultDetector, nil)
	if err != nil {
		panic(err) // a built-in with no params is valid, or its tests fail
	}
	return p
}

// PipelineFor is detector typ with params under the agent's default
// decision. A detector whose scores have a meaning to alert at (surprise's
// AlertThreshold) alerts there instead of at the agent's default 0.999,
// which is a confidence's.
func PipelineFor(typ string, params map[string]string) (Pipeline, error) {
	p, err := ParsePipeline("defaults", nil)
	if err != nil {
		return Pipeline{}, err
	}
	p.Detector = config.Detector{Type: typ, Params: params}
	if typ == surprise.Name {
		p.Decision.Threshold = surprise.AlertThreshold
	}
	if _, err := detectors.BuildSpec(p.Detector.Spec()); err != nil {
		return Pipeline{}, err
	}
	return p, nil
}

// ReadPipeline reads a pipeline document from path: detector and decision
// sections as in agent.yaml, strictly decoded and validated as the agent
// does.
func ReadPipeline(path string) (Pipeline, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return Pipeline{}, fmt.Errorf("read pipeline: %w", err)
	}
	return ParsePipeline(path, doc)
}

// ParsePipeline is ReadPipeline for a document in memory; name prefixes
// its errors.
func ParsePipeline(name string, doc []byte) (Pipeline, error) {
	if err := refuseInputs(name, doc); err != nil {
		return Pipeline{}, err
	}
	base, err := config.Parse("nab harness", []byte(baseConfig))
	if err == nil {
		err = base.Validate()
	}
	if err != nil {
		return Pipeline{}, fmt.Errorf("harness base configuration: %w", err)
	}
	cfg, err := base.WithPipeline(string(doc))
	if err != nil {
		return Pipeline{}, fmt.Errorf("%s: %w", name, err)
	}
	return Pipeline{Detector: cfg.Detector, Decision: cfg.Decision}, nil
}

// refuseInputs: the harness reads NAB's files, so an inputs section would
// be silently ignored; say so instead.
func refuseInputs(name string, doc []byte) error {
	var top map[string]yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(doc)).Decode(&top); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w", name, err)
	}
	if n, ok := top["inputs"]; ok {
		return fmt.Errorf("%s:%d: inputs: the NAB harness reads the corpus' files; give only detector and decision", name, n.Line)
	}
	return nil
}
