package payload

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Template is a subscription topic filter whose single-level wildcards may
// be named: "plant/+site/+device/telemetry" subscribes to
// "plant/+/+/telemetry" and captures the labels site and device. A bare "+"
// captures nothing; "#" may only be the last level.
type Template struct {
	levels []level
	names  []string
	filter string
}

// level is one level of a Template: a literal, "+" (name is the captured
// label, possibly empty) or "#".
type level struct {
	text string
	name string
}

// maxTopicBytes is MQTT's limit on a topic's length.
const maxTopicBytes = 65535

// ParseTemplate checks s and builds a Template. Empty levels ("a//b",
// "/a") are allowed, as MQTT allows them.
func ParseTemplate(s string) (*Template, error) {
	if err := checkTopic(s); err != nil {
		return nil, fmt.Errorf("topic template %s: %w", quote(s), err)
	}
	t := &Template{}
	parts := strings.Split(s, "/")
	filter := make([]string, len(parts))
	for i, p := range parts {
		lv, err := t.parseLevel(p, i == len(parts)-1)
		if err != nil {
			return nil, fmt.Errorf("topic template %s: level %d %s: %w", quote(s), i+1, quote(p), err)
		}
		t.levels = append(t.levels, lv)
		filter[i] = lv.text
	}
	t.filter = strings.Join(filter, "/")
	return t, nil
}

func checkTopic(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("empty")
	case len(s) > maxTopicBytes:
		return fmt.Errorf("longer than %d bytes", maxTopicBytes)
	case !utf8.ValidString(s):
		return fmt.Errorf("not valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("contains a NUL character")
	}
	return nil
}

func (t *Template) parseLevel(p string, last bool) (level, error) {
	switch {
	case p == "#" && !last:
		return level{}, fmt.Errorf(`"#" must be the last level`)
	case p == "#":
		return level{text: p}, nil
	case strings.HasPrefix(p, "+"):
		name := p[1:]
		if name == "" {
			return level{text: "+"}, nil
		}
		if !validLabelName(name) {
			return level{}, fmt.Errorf("label name %s: want letters, digits and _, not starting with a digit", quote(name))
		}
		for _, n := range t.names {
			if n == name {
				return level{}, fmt.Errorf("label name %s repeated", quote(name))
			}
		}
		t.names = append(t.names, name)
		return level{text: "+", name: name}, nil
	case strings.ContainsAny(p, "+#"):
		return level{}, fmt.Errorf(`a wildcard must be the whole level ("+" or "+name", "#")`)
	}
	return level{text: p}, nil
}

func validLabelName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// Filter returns the MQTT topic filter to subscribe to, with the names
// removed: "plant/+/+/telemetry".
func (t *Template) Filter() string { return t.filter }

// String returns the filter, for logs.
func (t *Template) String() string { return t.filter }

// Names returns the labels the template captures, in level order.
func (t *Template) Names() []string { return t.names }

// Match reports whether topic matches the filter, by MQTT rules: "+" is one
// level, "#" the rest (including none), and topics starting with "$" match
// no filter starting with a wildcard. On a match it sets the captured labels
// in labels, replacing any of the same name; with nil labels Match only
// tests. Topics with wildcard characters match nothing.
func (t *Template) Match(topic string, labels map[string]string) bool {
	if topic == "" || strings.ContainsAny(topic, "+#") {
		return false
	}
	// "$SYS/..." and the like are broker topics, kept out of "#" and "+/...".
	if first := t.levels[0].text; topic[0] == '$' && (first == "+" || first == "#") {
		return false
	}
	if !t.walk(topic, nil) {
		return false
	}
	if len(t.names) > 0 && labels != nil {
		t.walk(topic, labels)
	}
	return true
}

// walk matches topic level by level, capturing into labels when it is not
// nil; Match walks twice so a failed match leaves labels untouched.
func (t *Template) walk(topic string, labels map[string]string) bool {
	for i, lv := range t.levels {
		if lv.text == "#" {
			return true
		}
		part, rest, more := strings.Cut(topic, "/")
		switch {
		case lv.text == "+":
			if labels != nil && lv.name != "" {
				labels[lv.name] = part
			}
		case lv.text != part:
			return false
		}
		if !more {
			// "a/#" also matches "a": the next level must be the last.
			return i == len(t.levels)-1 || i == len(t.levels)-2 && t.levels[i+1].text == "#"
		}
		topic = rest
	}
	return false // the topic has more levels than the filter
}
