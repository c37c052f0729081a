package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// pipeline is the part of the configuration the control plane may set
// (protocol.DesiredState.Pipeline): what is read and how it is judged.
// Identity, storage, the uplink, logging and plugins' executables stay
// with the file on the host.
type pipeline struct {
	Inputs   []Input   `yaml:"inputs"`
	Detector *Detector `yaml:"detector"`
	Decision *Decision `yaml:"decision"`
}

// WithPipeline returns a copy of c whose inputs, detector and decision
// sections are replaced by those doc has (YAML, strictly decoded), then
// validated as a whole. A section doc lacks keeps c's. c, which must be
// valid, is not changed.
func (c *Config) WithPipeline(doc string) (*Config, error) {
	var p pipeline
	dec := yaml.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil && !errors.Is(err, io.EOF) {
		return nil, explainYAML("desired pipeline", err)
	}
	out := *c
	if p.Inputs != nil {
		// Relative to what? The document has no directory of its own, and
		// guessing one would read files nobody meant.
		for _, in := range p.Inputs {
			if in.File != nil && in.File.Path != "" && !filepath.IsAbs(in.File.Path) {
				return nil, fmt.Errorf("desired pipeline: input %s: file.path %q must be absolute", in.Name, in.File.Path)
			}
		}
		out.Inputs = p.Inputs
	}
	if p.Detector != nil {
		out.Detector = *p.Detector
	}
	if p.Decision != nil {
		out.Decision = *p.Decision
		if out.Decision.Severity == "" {
			out.Decision.Severity = defaults().Decision.Severity
		}
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("desired pipeline: %w", err)
	}
	return &out, nil
}
