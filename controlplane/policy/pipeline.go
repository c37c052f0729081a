package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pynomaly/pynomaly/protocol"
)

// Sections are the top-level sections a policy's pipeline may have, in
// the order a rendered pipeline lists them: the part of agent.yaml the
// control plane may set.
var Sections = []string{"inputs", "detector", "decision"}

// pipeline is a parsed pipeline document: each section it has, by name.
type pipeline map[string]*yaml.Node

// parsePipeline reads a pipeline document strictly: one YAML mapping
// whose keys are among Sections, inputs a list of mappings with unique
// names, detector and decision mappings, and no anchors or aliases (the
// sections of several policies end up in one document). The agent checks
// the sections' contents when it applies them.
func parsePipeline(doc string) (pipeline, error) {
	dec := yaml.NewDecoder(strings.NewReader(doc))
	var root yaml.Node
	if err := dec.Decode(&root); errors.Is(err, io.EOF) {
		return pipeline{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, errors.New("pipeline: more than one YAML document; put every section in one")
	}
	if err := noAliases(&root); err != nil {
		return nil, err
	}
	m := root.Content[0]
	if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
		return pipeline{}, nil
	}
	if m.Kind != yaml.MappingNode {
		return nil, lineError(m, "the pipeline must be a mapping of sections (%s)", strings.Join(Sections, ", "))
	}
	p := pipeline{}
	for i := 0; i < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if err := checkSection(k, v); err != nil {
			return nil, err
		}
		if _, dup := p[k.Value]; dup {
			return nil, lineError(k, "section %s appears twice", k.Value)
		}
		p[k.Value] = v
	}
	return p, nil
}

func checkSection(k, v *yaml.Node) error {
	if !slices.Contains(Sections, k.Value) {
		return lineError(k, "unknown section %q%s: a policy sets only %s", k.Value, didYouMean(k.Value), strings.Join(Sections, ", "))
	}
	if k.Value != "inputs" {
		if v.Kind != yaml.MappingNode {
			return lineError(v, "section %s must be a mapping", k.Value)
		}
		return nil
	}
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		return lineError(v, "section inputs must be a list of one or more inputs")
	}
	seen := map[string]bool{}
	for i, in := range v.Content {
		name := mappingValue(in, "name")
		if in.Kind != yaml.MappingNode || name == nil {
			return lineError(in, "inputs[%d]: want a mapping with a name", i)
		}
		if err := validateInputName(name.Value); err != nil {
			return lineError(name, "inputs[%d].name: %v", i, err)
		}
		if seen[name.Value] {
			return lineError(name, "inputs[%d].name: %q is used by another input", i, name.Value)
		}
		seen[name.Value] = true
	}
	return nil
}

// validateInputName checks an input's name as the agent does.
func validateInputName(name string) error {
	if err := protocol.ValidateAgentID(name); err != nil {
		return errors.New(strings.Replace(err.Error(), "agent id", "input name", 1))
	}
	return nil
}

// inputNames lists the names of the section's inputs, which
// parsePipeline checked.
func inputNames(inputs *yaml.Node) []string {
	var out []string
	for _, in := range inputs.Content {
		out = append(out, mappingValue(in, "name").Value)
	}
	return out
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; m.Kind == yaml.MappingNode && i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.ScalarNode {
			return m.Content[i+1]
		}
	}
	return nil
}

func noAliases(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return lineError(n, "anchors and aliases are not allowed: the sections of several policies are combined into one document")
	}
	for _, c := range n.Content {
		if err := noAliases(c); err != nil {
			return err
		}
	}
	return nil
}

func lineError(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("pipeline line %d: %s", n.Line, fmt.Sprintf(format, args...))
}

// didYouMean suggests the section a misspelt one was meant to be: the
// one it shares its first letters with ("detectors", "decison").
func didYouMean(s string) string {
	for _, want := range Sections {
		n := 0
		for n < min(len(s), len(want)) && s[n] == want[n] {
			n++
		}
		if n >= 4 || (n > 0 && n == len(s)) {
			return fmt.Sprintf(" (did you mean %q?)", want)
		}
	}
	return ""
}

// encode writes the sections in Sections order as one YAML document;
// empty for none.
func (p pipeline) encode() (string, error) {
	if len(p) == 0 {
		return "", nil
	}
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range Sections {
		if v, ok := p[name]; ok {
			doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, v)
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return "", fmt.Errorf("encode pipeline: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("encode pipeline: %w", err)
	}
	return b.String(), nil
}
