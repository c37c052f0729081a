package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/protocol"
)

// validatePlugins checks the plugins section. It cannot tell whether a
// path holds a compatible plugin: that takes starting it, which the agent
// does (and reports) at run time.
func (c *Config) validatePlugins() []error {
	var errs []error
	seen := map[string]bool{}
	for i, p := range c.Plugins {
		key := fmt.Sprintf("plugins[%d]", i)
		switch err := protocol.ValidateAgentID(p.Name); {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s.name: %v", key, strings.Replace(err.Error(), "agent id", "name", 1)))
		case seen[p.Name]:
			errs = append(errs, fmt.Errorf("%s.name: %q is used by another plugin", key, p.Name))
		case slices.Contains(detectors.Names(), p.Name):
			errs = append(errs, fmt.Errorf("%s.name: %q is a built-in detector; give the plugin another name", key, p.Name))
		}
		seen[p.Name] = true
		if p.Path == "" {
			errs = append(errs, fmt.Errorf("%s.path: must be set (the plugin's executable)", key))
		}
	}
	return errs
}

// validateDetectors checks the top-level detector and every input's own.
func (c *Config) validateDetectors() []error {
	var errs []error
	if err := c.validateDetector(c.Detector); err != nil {
		errs = append(errs, fmt.Errorf("detector: %w", err))
	}
	for i, in := range c.Inputs {
		if in.Detector != nil {
			if err := c.validateDetector(*in.Detector); err != nil {
				errs = append(errs, fmt.Errorf("inputs[%d].detector: %w", i, err))
				continue
			}
		}
		if err := c.checkMultivariate(in); err != nil {
			errs = append(errs, fmt.Errorf("inputs[%d].multivariate: %w", i, err))
		}
	}
	return errs
}

// checkMultivariate refuses a multivariate input whose built-in detector
// scores one value per sample. A plugin's dimensions are known only once
// it runs: one that refuses the input's fails the input, saying so.
func (c *Config) checkMultivariate(in Input) error {
	d := c.InputDetector(in)
	if _, plugin := c.Plugin(d.Type); !in.Multivariate || plugin {
		return nil
	}
	f, err := detectors.BuildSpec(d.Spec())
	if err != nil {
		return nil // reported with the detector
	}
	if f.Info().MaxDim == 1 {
		return fmt.Errorf("detector %s scores one value per sample; use one that takes several (%s, or an ensemble of them)",
			d.Type, strings.Join(multivariateDetectors(), ", "))
	}
	return nil
}

// multivariateDetectors names the built-in detectors that take samples of
// several values.
func multivariateDetectors() []string {
	var out []string
	for _, name := range detectors.Names() {
		if f, err := detectors.BuildSpec(detectors.Spec{Type: name}); err == nil && f.Info().MaxDim != 1 {
			out = append(out, name)
		}
	}
	return out
}

func (c *Config) validateDetector(d Detector) error {
	if d.Type == "" {
		return fmt.Errorf("type: must be set (built in: %s; plugins: %s)", strings.Join(detectors.Names(), ", "), c.pluginNames())
	}
	if _, ok := c.Plugin(d.Type); ok {
		if len(d.Params) > 0 || len(d.Members) > 0 {
			return fmt.Errorf("params: detector %s is a plugin: give its params under plugins[].params (a plugin with other params is another entry, with another name)", d.Type)
		}
		return nil
	}
	if !slices.Contains(detectors.Names(), d.Type) {
		return fmt.Errorf("unknown detector %q (built in: %s; plugins: %s)", d.Type, strings.Join(detectors.Names(), ", "), c.pluginNames())
	}
	if err := c.checkMembers(d.Members, "members"); err != nil {
		return err
	}
	_, err := detectors.BuildSpec(d.Spec())
	return err
}

// checkMembers refuses plugins as ensemble members: a member runs inside
// the ensemble, out of reach of the supervision that restarts a crashed
// plugin and replays its batch.
func (c *Config) checkMembers(ms []Detector, key string) error {
	for i, m := range ms {
		mkey := fmt.Sprintf("%s[%d]", key, i)
		if _, ok := c.Plugin(m.Type); ok {
			return fmt.Errorf("%s: plugin %s cannot be an ensemble member; members are built-in detectors", mkey, m.Type)
		}
		if err := c.checkMembers(m.Members, mkey+".members"); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) pluginNames() string {
	if len(c.Plugins) == 0 {
		return "none configured"
	}
	names := make([]string, len(c.Plugins))
	for i, p := range c.Plugins {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}
